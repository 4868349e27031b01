import type { Page } from 'playwright-core';
import { muxWebm, type EncodedFrame } from './webm.js';

export interface NoiseVideoOptions {
  width: number;
  height: number;
  fps: number;
  seconds: number;
  /** Bits per second: noise does not compress, so the file is about bitrate × seconds / 8. */
  bitrate: number;
}

// The few WebCodecs shapes the in-page encoder uses (the project's TypeScript has no DOM library).
interface ChunkLike {
  type: 'key' | 'delta';
  timestamp: number;
  byteLength: number;
  copyTo(destination: Uint8Array): void;
}
interface FrameLike {
  close(): void;
}
interface EncoderLike {
  configure(config: object): void;
  encode(frame: FrameLike, options: { keyFrame: boolean }): void;
  flush(): Promise<void>;
  close(): void;
  readonly encodeQueueSize: number;
}
interface CodecGlobals {
  VideoEncoder?: {
    new (init: { output(chunk: ChunkLike): void; error(error: Error): void }): EncoderLike;
    isConfigSupported(config: object): Promise<{ supported: boolean }>;
  };
  VideoFrame: new (data: Uint8Array, init: object) => FrameLike;
  btoa(binary: string): string;
}

interface PageResult {
  base64: string;
  frames: { timestamp: number; key: boolean; length: number }[];
}

/**
 * Encodes noise frames to VP8 with the page's own WebCodecs VideoEncoder (chromium's libvpx), a key
 * frame every second, and muxes them into a seekable WebM. The page must be a secure context (an
 * http://127.0.0.1 page is).
 */
export async function encodeNoiseWebm(page: Page, options: NoiseVideoOptions): Promise<Buffer> {
  const result = await page.evaluate(async (o): Promise<PageResult | string> => {
    const g = globalThis as unknown as CodecGlobals;
    if (!g.VideoEncoder) return 'WebCodecs VideoEncoder is not available in this page';
    const config = { codec: 'vp8', width: o.width, height: o.height, bitrate: o.bitrate, framerate: o.fps };
    if (!(await g.VideoEncoder.isConfigSupported(config)).supported) return 'VP8 encoding is not supported';
    const chunks: { timestamp: number; key: boolean; data: Uint8Array }[] = [];
    let failure: Error | null = null;
    const encoder = new g.VideoEncoder({
      output: (chunk) => {
        const data = new Uint8Array(chunk.byteLength);
        chunk.copyTo(data);
        chunks.push({ timestamp: chunk.timestamp, key: chunk.type === 'key', data });
      },
      error: (error) => (failure = error),
    });
    encoder.configure(config);
    // I420: a luma plane of noise with a bright bar that moves, and flat chroma.
    const lumaSize = o.width * o.height;
    const frameBytes = lumaSize + 2 * ((o.width / 2) * (o.height / 2));
    let seed = 0x2545f491;
    const count = o.fps * o.seconds;
    for (let i = 0; i < count; i++) {
      const pixels = new Uint8Array(frameBytes);
      for (let p = 0; p < lumaSize; p++) {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        pixels[p] = seed & 0xff;
      }
      const bar = (i * 4) % o.width;
      for (let y = 0; y < o.height; y++)
        pixels.fill(235, y * o.width + bar, y * o.width + Math.min(o.width, bar + 8));
      pixels.fill(128, lumaSize);
      const frame = new g.VideoFrame(pixels, {
        format: 'I420',
        codedWidth: o.width,
        codedHeight: o.height,
        timestamp: Math.round((i * 1_000_000) / o.fps),
        duration: Math.round(1_000_000 / o.fps),
      });
      encoder.encode(frame, { keyFrame: i % o.fps === 0 });
      frame.close();
      // Let the encoder drain so that memory stays flat.
      while (encoder.encodeQueueSize > 8) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await encoder.flush();
    encoder.close();
    if (failure) return `the encoder failed: ${String(failure)}`;
    let binary = '';
    for (const chunk of chunks) {
      for (let at = 0; at < chunk.data.length; at += 0x8000) {
        binary += String.fromCharCode(...chunk.data.subarray(at, at + 0x8000));
      }
    }
    return {
      base64: g.btoa(binary),
      frames: chunks.map((c) => ({ timestamp: c.timestamp, key: c.key, length: c.data.length })),
    };
  }, options);
  if (typeof result === 'string') throw new Error(result);

  const all = Buffer.from(result.base64, 'base64');
  let at = 0;
  const frames: EncodedFrame[] = result.frames.map((f) => {
    const data = all.subarray(at, at + f.length);
    at += f.length;
    return { timestampUs: f.timestamp, key: f.key, data };
  });
  return muxWebm({
    width: options.width,
    height: options.height,
    durationMs: options.seconds * 1000,
    frames,
  });
}
