// The list/watch/relist logic of one informer as a pure state machine (kube-rs's watcher, client-go's reflector):
// `step(state, input)` returns the next state, the store changes to apply, and at most one I/O command for the shell
// to run (stream the initial state, list a page, open a watch, wait). Nothing here does I/O or reads a clock, so it is
// tested without a server.
//
//   start ─▶ stream (a watch with sendInitialEvents: every object as ADDED, then the bookmark annotated
//            k8s.io/initial-events-end) ─▶ replace store ─▶ the same watch goes on with the changes
//        or, where the API server refuses streaming (400/422: its WatchList feature off, or too old), for good:
//            list pages (limit/continue) ─▶ replace store ─▶ watch from the list's resourceVersion
//   watch event ─▶ apply, remember its resourceVersion (bookmarks too) ─▶ keep watching
//   watch ended after delivering something ─▶ watch again from the last resourceVersion
//   410 Gone (answer or ERROR event) ─▶ get the state again from scratch (the replace emits deletes for what vanished)
//   any other failure ─▶ wait (exponential backoff with jitter) ─▶ retry what failed
//
// Streaming spares the API server the list: it serves the initial state from its watch cache, one object at a time,
// instead of building each page of a list in memory (KEP-3157).
import { type ApiError, apiErrorFrom, isGone } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { type BackoffPolicy, backoffDelay } from '../rest/backoff.ts';
import type { WatchEvent } from '../rest/watchstream.ts';

/** How the watcher gets the full state: streamed by a watch (the default), or paginated lists (the fallback). */
export type InitialState = 'stream' | 'list';

/** The annotation of the bookmark that ends a stream's initial events. */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

export type WatcherState =
  /** Listing from scratch (`continueToken` undefined) or in the middle of a paginated list. */
  (
    | {
        readonly phase: 'listing';
        readonly pages: readonly (readonly KubeObject[])[];
        readonly continueToken: string | undefined;
      }
    /**
     * Receiving the initial events of a stream, by namespace/name. The map is filled in place: a copy per event would
     * make streaming 300 000 objects quadratic. It belongs to this phase alone and is dropped when the phase ends.
     */
    | { readonly phase: 'streaming'; readonly objects: Map<string, KubeObject> }
    /** Watching from `resourceVersion`; `delivered` counts events (bookmarks included) of the current watch. */
    | { readonly phase: 'watching'; readonly resourceVersion: string; readonly delivered: number }
    /** Waiting out a backoff before getting the state from scratch (`resourceVersion` undefined) or watching again. */
    | { readonly phase: 'backoff'; readonly resourceVersion: string | undefined }
  ) & {
    readonly initial: InitialState;
    /** Consecutive failures. */
    readonly failures: number;
  };

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
  | { readonly type: 'expired'; readonly error: unknown }
  /** The API server refused to stream the initial state: paginated lists from now on. */
  | { readonly type: 'streamingRefused'; readonly error: unknown };

/** The one I/O the shell must do next; its outcome is the next input. Absent while a watch delivers events. */
export type WatcherCommand =
  /** Open a watch with sendInitialEvents=true, resourceVersionMatch=NotOlderThan and bookmarks. */
  | { readonly type: 'stream' }
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

/** The first step: get the full state from scratch, streamed (the default) or listed. */
export function startWatcher(initial: InitialState = 'stream'): WatcherStep {
  return fromScratch(initial, 0, []);
}

export function step(state: WatcherState, input: WatcherInput, config: WatcherConfig): WatcherStep {
  switch (input.type) {
    case 'listPage':
      return onListPage(state, input);
    case 'listFailed':
      // A continue token that expired (410) cannot be resumed either: every list failure restarts from scratch.
      if (state.phase !== 'listing') return ignore(state);
      return backoff(state, undefined, input.error, config);
    case 'watchEvent':
      if (state.phase === 'streaming') return onInitialEvent(state, input.event, config);
      return onWatchEvent(state, input.event, config);
    case 'watchEnded':
      // A stream that ends before its initial events did (the server's timeout): its events so far are dropped.
      if (state.phase === 'streaming') {
        return backoff(state, undefined, new Error('watch closed before its initial events ended'), config);
      }
      if (state.phase !== 'watching') return ignore(state);
      if (state.delivered > 0) return watchFrom(state, state.resourceVersion, 0);
      // A watch closed before saying anything counts as a failure, so a server that keeps closing is not hammered.
      return backoff(state, state.resourceVersion, new Error('watch closed without delivering events'), config);
    case 'watchFailed':
      if (state.phase === 'streaming') return onStreamFailed(state, input.error, config);
      if (state.phase !== 'watching') return ignore(state);
      if (isGone(input.error)) return relist(state.initial, input.error);
      return backoff(state, state.resourceVersion, input.error, config);
    case 'backoffElapsed':
      if (state.phase !== 'backoff') return ignore(state);
      return state.resourceVersion === undefined
        ? fromScratch(state.initial, state.failures, [])
        : watchFrom(state, state.resourceVersion, state.failures);
  }
}

/**
 * Whether a refused stream means the API server cannot stream at all: 400 or 422 (Invalid) name a request it does
 * not accept (kube-apiserver with its WatchList feature off rejects sendInitialEvents; one that predates it rejects
 * resourceVersionMatch on a watch). Other failures (403, 5xx, a lost connection) would fail a list just the same.
 */
export function refusesStreaming(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 400 || code === 422;
}

function onStreamFailed(state: WatcherState, error: unknown, config: WatcherConfig): WatcherStep {
  if (refusesStreaming(error)) {
    return fromScratch('list', state.failures, [{ type: 'streamingRefused', error }]);
  }
  return backoff(state, undefined, error, config);
}

function onInitialEvent(
  state: Extract<WatcherState, { phase: 'streaming' }>,
  event: WatchEvent,
  config: WatcherConfig,
): WatcherStep {
  switch (event.type) {
    case 'ERROR':
      return onStreamFailed(state, apiErrorFrom(event.object.code ?? 500, event.object), config);
    case 'ADDED':
    case 'MODIFIED':
      state.objects.set(objectKey(event.object), event.object);
      return { state, effects: [] };
    case 'DELETED':
      state.objects.delete(objectKey(event.object));
      return { state, effects: [] };
    case 'BOOKMARK': {
      if (event.object.metadata?.annotations?.[INITIAL_EVENTS_END_ANNOTATION] !== 'true') {
        return { state, effects: [] };
      }
      const resourceVersion = event.object.metadata?.resourceVersion ?? '';
      return {
        // The same watch goes on: no command.
        state: {
          phase: 'watching',
          resourceVersion,
          delivered: state.objects.size + 1,
          initial: state.initial,
          failures: 0,
        },
        effects: [{ type: 'replace', items: [...state.objects.values()], resourceVersion }],
      };
    }
  }
}

function objectKey(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

function onListPage(state: WatcherState, page: Extract<WatcherInput, { type: 'listPage' }>): WatcherStep {
  if (state.phase !== 'listing') return ignore(state);
  const pages = [...state.pages, page.items];
  if (page.continueToken) {
    return {
      state: { ...state, pages, continueToken: page.continueToken },
      effects: [],
      command: { type: 'list', continueToken: page.continueToken },
    };
  }
  return {
    state: {
      phase: 'watching',
      resourceVersion: page.resourceVersion,
      delivered: 0,
      initial: state.initial,
      failures: 0,
    },
    effects: [{ type: 'replace', items: pages.flat(), resourceVersion: page.resourceVersion }],
    command: { type: 'watch', resourceVersion: page.resourceVersion },
  };
}

function onWatchEvent(state: WatcherState, event: WatchEvent, config: WatcherConfig): WatcherStep {
  if (state.phase !== 'watching') return ignore(state);
  if (event.type === 'ERROR') {
    const error: ApiError = apiErrorFrom(event.object.code ?? 500, event.object);
    if (isGone(error)) return relist(state.initial, error);
    return backoff(state, state.resourceVersion, error, config);
  }
  const resourceVersion = event.object.metadata?.resourceVersion || state.resourceVersion;
  const next: WatcherState = {
    phase: 'watching',
    resourceVersion,
    delivered: state.delivered + 1,
    initial: state.initial,
    failures: 0,
  };
  if (event.type === 'BOOKMARK') return { state: next, effects: [] };
  return { state: next, effects: [{ type: 'apply', event: event.type, object: event.object }] };
}

function fromScratch(initial: InitialState, failures: number, effects: readonly WatcherEffect[]): WatcherStep {
  return initial === 'stream'
    ? { state: { phase: 'streaming', objects: new Map(), initial, failures }, effects, command: { type: 'stream' } }
    : {
        state: { phase: 'listing', pages: [], continueToken: undefined, initial, failures },
        effects,
        command: { type: 'list', continueToken: undefined },
      };
}

function relist(initial: InitialState, error: unknown): WatcherStep {
  return fromScratch(initial, 0, [{ type: 'expired', error }]);
}

function watchFrom(state: WatcherState, resourceVersion: string, failures: number): WatcherStep {
  return {
    state: { phase: 'watching', resourceVersion, delivered: 0, initial: state.initial, failures },
    effects: [],
    command: { type: 'watch', resourceVersion },
  };
}

function backoff(
  state: WatcherState,
  resourceVersion: string | undefined,
  error: unknown,
  config: WatcherConfig,
): WatcherStep {
  const ms = backoffDelay(config.backoff, state.failures, config.random);
  return {
    state: { phase: 'backoff', resourceVersion, initial: state.initial, failures: state.failures + 1 },
    effects: [{ type: 'failed', error, failures: state.failures + 1, retryInMs: ms }],
    command: { type: 'wait', ms },
  };
}

// An input that does not fit the state (a late event from a watch already given up) changes nothing.
function ignore(state: WatcherState): WatcherStep {
  return { state, effects: [] };
}
