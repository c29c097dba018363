// The list/watch/relist logic of one informer as a pure state machine (kube-rs's watcher, client-go's reflector):
// `step(state, input)` returns the next state, the store changes to apply, and at most one I/O command for the shell
// to run (list a page, open a watch, wait). Nothing here does I/O or reads a clock, so it is tested without a server.
//
//   start ─▶ list pages (limit/continue) ─▶ replace store ─▶ watch from the list's resourceVersion
//   watch event ─▶ apply, remember its resourceVersion (bookmarks too) ─▶ keep watching
//   watch ended after delivering something ─▶ watch again from the last resourceVersion
//   410 Gone (answer or ERROR event) ─▶ list again from scratch (the replace emits deletes for what vanished)
//   any other failure ─▶ wait (exponential backoff with jitter) ─▶ retry what failed
import { type ApiError, apiErrorFrom, isGone } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { type BackoffPolicy, backoffDelay } from '../rest/backoff.ts';
import type { WatchEvent } from '../rest/watchstream.ts';

export type WatcherState =
  /** Listing from scratch (`continueToken` undefined) or in the middle of a paginated list. */
  | {
      readonly phase: 'listing';
      readonly pages: readonly (readonly KubeObject[])[];
      readonly continueToken: string | undefined;
      readonly failures: number;
    }
  /** Watching from `resourceVersion`; `delivered` counts events (bookmarks included) of the current watch. */
  | {
      readonly phase: 'watching';
      readonly resourceVersion: string;
      readonly delivered: number;
      readonly failures: number;
    }
  /** Waiting out a backoff before listing from scratch (`resourceVersion` undefined) or watching again. */
  | { readonly phase: 'backoff'; readonly resourceVersion: string | undefined; readonly failures: number };

export type WatcherInput =
  | {
      readonly type: 'listPage';
      readonly items: readonly KubeObject[];
      readonly resourceVersion: string;
      readonly continueToken?: string;
    }
  | { readonly type: 'listFailed'; readonly error: unknown }
  | { readonly type: 'watchEvent'; readonly event: WatchEvent }
  /** The server closed the watch without an error (its timeout, or a shutdown). */
  | { readonly type: 'watchEnded' }
  /** The watch could not be opened, or broke (connection lost, bad data, an error answer). */
  | { readonly type: 'watchFailed'; readonly error: unknown }
  | { readonly type: 'backoffElapsed' };

/** Changes to the store and notices for the shell; applied in order. */
export type WatcherEffect =
  /** The full state after a (re)list: replace the store atomically. */
  | { readonly type: 'replace'; readonly items: readonly KubeObject[]; readonly resourceVersion: string }
  | { readonly type: 'apply'; readonly event: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: KubeObject }
  /** Something failed; `failures` counts consecutive failures (health, logs). */
  | { readonly type: 'failed'; readonly error: unknown; readonly failures: number; readonly retryInMs?: number }
  /** A relist was forced by 410 Gone. */
  | { readonly type: 'expired'; readonly error: unknown };

/** The one I/O the shell must do next; its outcome is the next input. Absent while a watch delivers events. */
export type WatcherCommand =
  | { readonly type: 'list'; readonly continueToken: string | undefined }
  | { readonly type: 'watch'; readonly resourceVersion: string }
  | { readonly type: 'wait'; readonly ms: number };

export interface WatcherStep {
  readonly state: WatcherState;
  readonly effects: readonly WatcherEffect[];
  readonly command?: WatcherCommand;
}

export interface WatcherConfig {
  readonly backoff: BackoffPolicy;
  /** [0, 1): jitter of the backoff. */
  readonly random: () => number;
}

/** The first step: list from scratch. */
export function startWatcher(): WatcherStep {
  return {
    state: { phase: 'listing', pages: [], continueToken: undefined, failures: 0 },
    effects: [],
    command: { type: 'list', continueToken: undefined },
  };
}

export function step(state: WatcherState, input: WatcherInput, config: WatcherConfig): WatcherStep {
  switch (input.type) {
    case 'listPage':
      return onListPage(state, input);
    case 'listFailed':
      // A continue token that expired (410) cannot be resumed either: every list failure restarts from scratch.
      return backoff(undefined, state.failures, input.error, config);
    case 'watchEvent':
      return onWatchEvent(state, input.event, config);
    case 'watchEnded':
      if (state.phase !== 'watching') return ignore(state);
      if (state.delivered > 0) return watchFrom(state.resourceVersion, 0);
      // A watch closed before saying anything counts as a failure, so a server that keeps closing is not hammered.
      return backoff(
        state.resourceVersion,
        state.failures,
        new Error('watch closed without delivering events'),
        config,
      );
    case 'watchFailed':
      if (state.phase !== 'watching') return ignore(state);
      if (isGone(input.error)) return relist(input.error);
      return backoff(state.resourceVersion, state.failures, input.error, config);
    case 'backoffElapsed':
      if (state.phase !== 'backoff') return ignore(state);
      return state.resourceVersion === undefined
        ? {
            state: { phase: 'listing', pages: [], continueToken: undefined, failures: state.failures },
            effects: [],
            command: { type: 'list', continueToken: undefined },
          }
        : watchFrom(state.resourceVersion, state.failures);
  }
}

function onListPage(state: WatcherState, page: Extract<WatcherInput, { type: 'listPage' }>): WatcherStep {
  if (state.phase !== 'listing') return ignore(state);
  const pages = [...state.pages, page.items];
  if (page.continueToken) {
    return {
      state: { phase: 'listing', pages, continueToken: page.continueToken, failures: state.failures },
      effects: [],
      command: { type: 'list', continueToken: page.continueToken },
    };
  }
  return {
    state: { phase: 'watching', resourceVersion: page.resourceVersion, delivered: 0, failures: 0 },
    effects: [{ type: 'replace', items: pages.flat(), resourceVersion: page.resourceVersion }],
    command: { type: 'watch', resourceVersion: page.resourceVersion },
  };
}

function onWatchEvent(state: WatcherState, event: WatchEvent, config: WatcherConfig): WatcherStep {
  if (state.phase !== 'watching') return ignore(state);
  if (event.type === 'ERROR') {
    const error: ApiError = apiErrorFrom(event.object.code ?? 500, event.object);
    if (isGone(error)) return relist(error);
    return backoff(state.resourceVersion, state.failures, error, config);
  }
  const resourceVersion = event.object.metadata?.resourceVersion || state.resourceVersion;
  const next: WatcherState = { phase: 'watching', resourceVersion, delivered: state.delivered + 1, failures: 0 };
  if (event.type === 'BOOKMARK') return { state: next, effects: [] };
  return { state: next, effects: [{ type: 'apply', event: event.type, object: event.object }] };
}

function relist(error: unknown): WatcherStep {
  return {
    state: { phase: 'listing', pages: [], continueToken: undefined, failures: 0 },
    effects: [{ type: 'expired', error }],
    command: { type: 'list', continueToken: undefined },
  };
}

function watchFrom(resourceVersion: string, failures: number): WatcherStep {
  return {
    state: { phase: 'watching', resourceVersion, delivered: 0, failures },
    effects: [],
    command: { type: 'watch', resourceVersion },
  };
}

function backoff(
  resourceVersion: string | undefined,
  failures: number,
  error: unknown,
  config: WatcherConfig,
): WatcherStep {
  const ms = backoffDelay(config.backoff, failures, config.random);
  return {
    state: { phase: 'backoff', resourceVersion, failures: failures + 1 },
    effects: [{ type: 'failed', error, failures: failures + 1, retryInMs: ms }],
    command: { type: 'wait', ms },
  };
}

// An input that does not fit the state (a late event from a watch already given up) changes nothing.
function ignore(state: WatcherState): WatcherStep {
  return { state, effects: [] };
}
