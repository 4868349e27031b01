import { seededRandom } from './prng.js';

/** Faults injected into the emulator's answers, set per test at run time. */
export interface HubFaults {
  /** Share of requests (0…1) answered with one of `errorStatuses` instead of being handled. */
  errorRate?: number;
  /** Default [429, 500, 503]. */
  errorStatuses?: number[];
  /**
   * Share of requests whose connection is reset: a request with a body is cut while it is being
   * received (nothing is applied); a GET/HEAD is handled and its answer cut after part of the body.
   */
  resetRate?: number;
  /** Added before every request is handled. */
  latencyMs?: number;
  /** The next N commits are applied, then their connection is closed without an answer. */
  loseCommitResponses?: number;
  /** Seed of the PRNG that picks the faulty requests (default 1); setting faults restarts it. */
  seed?: number;
  /** `Retry-After` of injected errors, in seconds (default 1). */
  retryAfterSeconds?: number;
}

export type FaultDecision = { kind: 'none' } | { kind: 'error'; status: number } | { kind: 'reset' };

/** Decides which requests fail. Faults happen before or after a handler, never inside one. */
export class FaultInjector {
  private faults: HubFaults = {};
  private random = seededRandom(1);
  private lostCommits = 0;

  set(faults: HubFaults): void {
    this.faults = { ...faults };
    this.random = seededRandom(faults.seed ?? 1);
    this.lostCommits = faults.loseCommitResponses ?? 0;
  }

  get latencyMs(): number {
    return this.faults.latencyMs ?? 0;
  }

  get retryAfterSeconds(): number {
    return this.faults.retryAfterSeconds ?? 1;
  }

  /** One decision per request; it always draws three numbers so that a seed gives one sequence. */
  decide(): FaultDecision {
    const [error, pick, reset] = [this.random(), this.random(), this.random()];
    const statuses = this.faults.errorStatuses?.length ? this.faults.errorStatuses : [429, 500, 503];
    if (error < (this.faults.errorRate ?? 0)) {
      return { kind: 'error', status: statuses[Math.floor(pick * statuses.length)]! };
    }
    if (reset < (this.faults.resetRate ?? 0)) return { kind: 'reset' };
    return { kind: 'none' };
  }

  /** Whether this applied commit's answer is to be lost (counts it down). */
  takeLostCommitResponse(): boolean {
    if (this.lostCommits <= 0) return false;
    this.lostCommits--;
    return true;
  }
}
