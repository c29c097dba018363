// What a reconciler is given and what it gives back, and the one place that turns the outcome of a reconcile into
// queue actions and a metric label.
import type { Logger } from 'pino';
import type { ReconcileResultLabel } from './metrics.ts';
import type { ObjectKey } from './object.ts';

/** The object to reconcile, by key: the reconciler reads its current state itself. */
export type Request = ObjectKey;

/** A reconcile's result. Nothing (or `{}`) means done: forget the key's backoff and wait for the next event. */
export interface Result {
  /** Reconcile again after this many milliseconds (the backoff is reset). Wins over `requeue`. */
  readonly requeueAfter?: number;
  /** Reconcile again through the rate limiter (exponential backoff), without counting it as an error. */
  readonly requeue?: boolean;
}

export interface ReconcileContext {
  readonly controller: string;
  /** Unique per reconcile (a UUID), in every log line of it. */
  readonly reconcileID: string;
  /** Carries controller, namespace, name and reconcileID. */
  readonly log: Logger;
  /** Aborts when the manager gives up waiting for in-flight work at shutdown: stop soon after. */
  readonly signal: AbortSignal;
}

export interface Reconciler {
  /** Throw to retry with backoff; throw a TerminalError to stop retrying until the next event. */
  // biome-ignore lint/suspicious/noConfusingVoidType: lets an async reconciler with no return statement implement this
  reconcile(ctx: ReconcileContext, request: Request): Promise<Result | undefined | void>;
}

/** A failure that retrying cannot fix (e.g. an invalid spec): logged and counted, not requeued. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** True when `err` or anything in its `cause` chain is a TerminalError. */
export function isTerminal(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 32; e = e.cause, depth++) {
    if (e instanceof TerminalError) return true;
  }
  return false;
}

export type Outcome =
  | { readonly kind: 'result'; readonly result: Result | undefined }
  | { readonly kind: 'error'; readonly error: unknown };

/** What the controller does with the key after a reconcile. */
export type QueueAction =
  | { readonly op: 'forget' }
  | { readonly op: 'rateLimited' }
  | { readonly op: 'forgetAndAddAfter'; readonly delayMs: number };

export interface Decision {
  readonly action: QueueAction;
  readonly label: ReconcileResultLabel;
  readonly error?: 'retry' | 'terminal';
}

export class InvalidResultError extends Error {
  override readonly name = 'InvalidResultError';
}

/** A reconciler bug shows up as an error outcome with a clear message rather than as a silent no-requeue. */
export function checkResult(result: unknown): Outcome {
  if (result === undefined) return { kind: 'result', result: undefined };
  if (typeof result !== 'object' || result === null) {
    return { kind: 'error', error: new InvalidResultError(`reconcile returned ${String(result)}, not a Result`) };
  }
  const { requeueAfter, requeue } = result as Record<string, unknown>;
  if (
    requeueAfter !== undefined &&
    !(typeof requeueAfter === 'number' && Number.isFinite(requeueAfter) && requeueAfter >= 0)
  ) {
    return {
      kind: 'error',
      error: new InvalidResultError(`reconcile returned requeueAfter ${String(requeueAfter)}: need milliseconds >= 0`),
    };
  }
  if (requeue !== undefined && typeof requeue !== 'boolean') {
    return {
      kind: 'error',
      error: new InvalidResultError(`reconcile returned requeue ${String(requeue)}: need a boolean`),
    };
  }
  return { kind: 'result', result: result as Result };
}

/** The single policy: {error, terminal error, requeueAfter, requeue, done} → queue action + result label. */
export function decide(outcome: Outcome): Decision {
  if (outcome.kind === 'error') {
    // A terminal error is not retried, and its backoff is cleared so a later failure starts from the base delay.
    return isTerminal(outcome.error)
      ? { action: { op: 'forget' }, label: 'error', error: 'terminal' }
      : { action: { op: 'rateLimited' }, label: 'error', error: 'retry' };
  }
  const result = outcome.result ?? {};
  if (result.requeueAfter !== undefined && result.requeueAfter > 0) {
    return { action: { op: 'forgetAndAddAfter', delayMs: result.requeueAfter }, label: 'requeue_after' };
  }
  if (result.requeue) return { action: { op: 'rateLimited' }, label: 'requeue' };
  return { action: { op: 'forget' }, label: 'success' };
}
