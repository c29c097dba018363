// Client-side rate limiting: a token bucket refilled at `qps` tokens per second, holding at most `burst`.
// Taking a token may leave the bucket in debt; the debt is the caller's wait (like Go's rate.Limiter.Reserve),
// so concurrent callers queue in order without polling.
import type { Clock } from '../clock.ts';

export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  /** `qps` ≤ 0 or Infinity disables the limit. */
  constructor(qps: number, burst: number, clock: Clock) {
    if (!(burst >= 1) && Number.isFinite(qps) && qps > 0) {
      throw new RangeError(`burst must be at least 1 when qps is limited (got ${burst})`);
    }
    this.qps = qps;
    this.burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  get unlimited(): boolean {
    return !(this.qps > 0) || !Number.isFinite(this.qps);
  }

  /** Takes a token and returns how many milliseconds the caller must wait before using it (0: now). */
  reserve(): number {
    if (this.unlimited) return 0;
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#last) / 1000;
    this.#last = now;
    this.#tokens = Math.min(this.burst, this.#tokens + elapsed * this.qps) - 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.qps) * 1000);
  }

  /** Resolves once the caller may send a request; rejects if `signal` aborts first. */
  async wait(signal?: AbortSignal): Promise<void> {
    const ms = this.reserve();
    if (ms > 0) await this.#clock.sleep(ms, signal);
  }
}
