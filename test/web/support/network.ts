import type { CDPSession, Page, Request } from 'playwright-core';

/** DevTools network emulation of one page: a slow uplink makes "halfway through" reachable. */
export class Throttle {
  private constructor(private readonly cdp: CDPSession) {}

  static async of(page: Page): Promise<Throttle> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    return new Throttle(cdp);
  }

  /** Upload at most `bytesPerSecond`; downloads are left alone. */
  async upload(bytesPerSecond: number): Promise<void> {
    await this.cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: bytesPerSecond,
    });
  }

  async off(): Promise<void> {
    await this.cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
  }
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** Records the requests of a page whose URL passes `filter` (cleared with `clear()`). */
export class RequestLog {
  readonly seen: SeenRequest[] = [];
  private readonly listener = (request: Request) => {
    if (this.filter(request.url())) {
      this.seen.push({ method: request.method(), url: request.url(), headers: request.headers() });
    }
  };

  constructor(
    page: Page,
    private readonly filter: (url: string) => boolean,
  ) {
    page.on('request', this.listener);
  }

  clear(): void {
    this.seen.length = 0;
  }
}
