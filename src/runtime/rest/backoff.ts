// Exponential backoff with jitter, as a pure function of the attempt number (the caller keeps the count).

export interface BackoffPolicy {
  /** Delay after the first failure. */
  readonly initialMs: number;
  /** Ceiling of the delay. */
  readonly maxMs: number;
  /** Growth per failure. */
  readonly factor: number;
  /** Relative spread: the delay is drawn from base × [1 − jitter, 1 + jitter], so clients do not retry in step. */
  readonly jitter: number;
}

/** About 0.8 s, 1.6 s, 3.2 s, … up to 30 s (kube-rs's default watcher backoff). */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 800, maxMs: 30_000, factor: 2, jitter: 0.2 };

/** The delay before retry number `attempt` (0 for the first retry); `random` returns [0, 1). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  const spread = base * policy.jitter * (2 * random() - 1);
  return Math.round(Math.max(0, Math.min(policy.maxMs, base + spread)));
}
