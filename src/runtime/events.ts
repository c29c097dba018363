// Kubernetes Events (core/v1), after client-go's record package:
//  - a repeat of the same event (same involved object, type, reason, message and source) patches the existing
//    Event's count and lastTimestamp instead of creating another object;
//  - a token bucket per involved object (burst 25, one more every 5 minutes) drops floods;
//  - recording never blocks the caller: background writers (4) send events, retrying a few times. Like client-go's
//    broadcaster (1000 queued, then dropped), the queue is bounded: when the API server falls behind, new events
//    are dropped (counted) rather than held in memory without limit. Writes of the same Event are serialized and
//    coalesced: a repeat recorded while its Event is queued or being written is sent once, with the latest count.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Client } from './client/client.ts';
import { mergePatch } from './client/patch.ts';
import type { Clock } from './clock.ts';
import { realClock } from './clock.ts';
import { isNotFound } from './errors.ts';
import { silentLogger } from './log.ts';
import type { KubeObject } from './object.ts';

export type EventType = 'Normal' | 'Warning';

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

/** The core/v1 Event fields the recorder writes. */
export interface CoreEvent extends KubeObject {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  involvedObject: ObjectReference;
  type: EventType;
  reason: string;
  message: string;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  source: { component: string; host?: string };
  reportingComponent: string;
  reportingInstance: string;
}

/** Where events go: the API server (clientEventSink) or, in unit tests, a list. */
export interface EventSink {
  create(event: CoreEvent): Promise<void>;
  /** Updates count, lastTimestamp (and message) of an existing Event; NotFoundError if it is gone. */
  update(event: CoreEvent): Promise<void>;
}

export interface EventRecorder {
  /** Records an event about `object`. Never blocks; throws InvalidEventError on a bad type or reason. */
  event(object: KubeObject, type: EventType, reason: string, message: string): void;
}

export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

export interface EventBroadcasterOptions {
  readonly sink: EventSink;
  readonly clock?: Clock;
  readonly log?: Logger;
  /** source.host and reportingInstance. Default: the host name. */
  readonly host?: string;
  /** Events per object in a burst. Default 25 (client-go's). */
  readonly burst?: number;
  /** One more event per object allowed every this many ms. Default 300 000 (5 minutes, client-go's). */
  readonly refillMs?: number;
  /** Distinct events remembered for aggregation (least recently used dropped). Default 4096. */
  readonly cacheSize?: number;
  /**
   * Attempts per write. Default 12 (client-go's maxTriesPerEvent): with the waits below an event outlives an API
   * server or etcd restart of about a minute (test/reliability/control-plane-restart.test.ts lost events with 3).
   */
  readonly attempts?: number;
  /** First wait between attempts, doubled after each, at most 10 s. Default 1 s. */
  readonly retryDelayMs?: number;
  /** Distinct Events waiting to be written; beyond it new ones are dropped. Default 1000 (client-go's). */
  readonly maxQueued?: number;
  /** Events written at once. Default 4. */
  readonly writers?: number;
}

/** An Event waiting to be written, or being written: `event` is the latest version recorded. */
interface PendingWrite {
  event: CoreEvent;
  /** The Event exists on the server (an earlier write created it): the next write patches it. */
  exists: boolean;
  /** A writer has taken it. */
  writing: boolean;
}

const MAX_MESSAGE = 1024;
const MAX_RETRY_DELAY_MS = 10_000;
const FULL_WARNING_INTERVAL_MS = 30_000;
const REASON = /^[A-Za-z][A-Za-z0-9]*$/;

interface Bucket {
  tokens: number;
  last: number;
}

export class EventBroadcaster {
  readonly #sink: EventSink;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #host: string;
  readonly #burst: number;
  readonly #refillMs: number;
  readonly #cacheSize: number;
  readonly #attempts: number;
  readonly #retryDelayMs: number;
  /** Last Event written per aggregation key; Map order is recency (re-inserted on use). */
  readonly #seen = new Map<string, CoreEvent>();
  readonly #buckets = new Map<string, Bucket>();
  readonly #maxQueued: number;
  readonly #writers: number;
  /**
   * Per aggregation key, the write waiting or in progress; Map order is the order to write in. The entries being
   * written (at most `writers`) come first, so the next one to take is found within the first `writers` + 1.
   */
  readonly #pending = new Map<string, PendingWrite>();
  #activeWriters = 0;
  #idleWaiters: (() => void)[] = [];
  #seq = 0;
  #stopped = false;
  #lastFullWarning = Number.NEGATIVE_INFINITY;
  #droppedAtLastWarning = 0;
  /** Events dropped by the per-object rate limit. */
  dropped = 0;
  /** Events dropped because the write queue was full (the API server is behind). */
  droppedQueueFull = 0;

  constructor(options: EventBroadcasterOptions) {
    this.#sink = options.sink;
    this.#clock = options.clock ?? realClock;
    this.#log = options.log ?? silentLogger();
    this.#host = options.host ?? hostname();
    this.#burst = options.burst ?? 25;
    this.#refillMs = options.refillMs ?? 300_000;
    this.#cacheSize = options.cacheSize ?? 4096;
    this.#attempts = options.attempts ?? 12;
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
    this.#maxQueued = options.maxQueued ?? 1000;
    this.#writers = options.writers ?? 4;
  }

  /** A recorder that signs its events with `component` (e.g. the controller's name). */
  recorderFor(component: string): EventRecorder {
    if (!component) throw new InvalidEventError('an event recorder needs a component name');
    return { event: (object, type, reason, message) => this.#record(component, object, type, reason, message) };
  }

  /** Resolves once every event recorded so far has been written (or given up on). */
  flush(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops accepting events and waits for the ones queued. */
  async shutdown(): Promise<void> {
    this.#stopped = true;
    await this.flush();
  }

  #record(component: string, object: KubeObject, type: EventType, reason: string, message: string): void {
    if (type !== 'Normal' && type !== 'Warning') {
      throw new InvalidEventError(`event type must be Normal or Warning, not ${JSON.stringify(type)}`);
    }
    if (!REASON.test(reason)) {
      throw new InvalidEventError(`event reason must be a CamelCase word, not ${JSON.stringify(reason)}`);
    }
    const meta = object.metadata;
    if (!meta?.name) throw new InvalidEventError("the event's object has no metadata.name");
    if (this.#stopped) return;

    const involved: ObjectReference = {
      ...(object.apiVersion ? { apiVersion: object.apiVersion } : {}),
      ...(object.kind ? { kind: object.kind } : {}),
      ...(meta.namespace ? { namespace: meta.namespace } : {}),
      name: meta.name,
      ...(meta.uid ? { uid: meta.uid } : {}),
      ...(meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
    };
    const objectKey = [component, involved.apiVersion, involved.kind, involved.namespace, involved.name, involved.uid]
      .map((part) => part ?? '')
      .join('\u0000');
    if (!this.#takeToken(objectKey)) {
      this.dropped++;
      this.#log.debug({ object: involved, reason }, 'event dropped: too many events for this object');
      return;
    }
    const text = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message;
    const key = [objectKey, type, reason, text].join('\u0000');
    const now = new Date(this.#clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    const previous = this.#seen.get(key);
    let event: CoreEvent;
    if (previous) {
      this.#seen.delete(key);
      event = { ...previous, count: previous.count + 1, lastTimestamp: now };
    } else {
      event = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: this.#eventName(meta.name), namespace: meta.namespace || 'default' },
        involvedObject: involved,
        type,
        reason,
        message: text,
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component, host: this.#host },
        reportingComponent: component,
        reportingInstance: this.#host,
      };
    }
    this.#seen.set(key, event);
    if (this.#seen.size > this.#cacheSize) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    this.#enqueue(key, event, previous !== undefined);
  }

  #enqueue(key: string, event: CoreEvent, exists: boolean): void {
    const waiting = this.#pending.get(key);
    if (waiting) {
      waiting.event = event; // its writer sends this version next (a repeat: the count only grows)
      return;
    }
    if (this.#pending.size >= this.#maxQueued) {
      this.droppedQueueFull++;
      // One warning per FULL_WARNING_INTERVAL_MS, with the count since the last one, however long the flood.
      const now = this.#clock.now();
      if (now - this.#lastFullWarning >= FULL_WARNING_INTERVAL_MS) {
        this.#log.warn(
          { queued: this.#pending.size, dropped: this.droppedQueueFull - this.#droppedAtLastWarning },
          'events dropped: the write queue is full (the API server is behind)',
        );
        this.#lastFullWarning = now;
        this.#droppedAtLastWarning = this.droppedQueueFull;
      }
      return;
    }
    this.#pending.set(key, { event, exists, writing: false });
    if (this.#activeWriters < this.#writers) {
      this.#activeWriters++;
      void this.#drain();
    }
  }

  /** The oldest write no writer has taken. */
  #nextWaiting(): [string, PendingWrite] | undefined {
    for (const next of this.#pending) if (!next[1].writing) return next;
    return undefined;
  }

  /** One writer: takes writes in order until none waits; each key's latest version is written before the next key. */
  async #drain(): Promise<void> {
    for (let next = this.#nextWaiting(); next; next = this.#nextWaiting()) {
      const [key, entry] = next;
      entry.writing = true;
      let written: CoreEvent | undefined;
      while (entry.event !== written) {
        written = entry.event;
        entry.exists = await this.#write(written, entry.exists);
      }
      this.#pending.delete(key);
    }
    this.#activeWriters--;
    if (this.#activeWriters === 0 && this.#pending.size === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  #takeToken(key: string): boolean {
    const now = this.#clock.now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, last: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.last) / this.#refillMs);
    bucket.last = now;
    // Re-insert so Map order is recency; forget the least recently seen objects beyond the cache size.
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#cacheSize) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Like client-go: the object's name and the time in nanoseconds as hex (plus a counter against collisions). */
  #eventName(objectName: string): string {
    const nanos = BigInt(this.#clock.now()) * 1_000_000n + BigInt(this.#seq++ % 1_000_000);
    return `${objectName}.${nanos.toString(16)}`;
  }

  /** Writes `event` (a patch when `isRepeat`); resolves to whether the Event now exists on the server. */
  async #write(event: CoreEvent, isRepeat: boolean): Promise<boolean> {
    for (let attempt = 1; attempt <= this.#attempts; attempt++) {
      try {
        if (isRepeat) {
          try {
            await this.#sink.update(event);
            return true;
          } catch (err) {
            // The first Event expired (the API server keeps them an hour) or was never written: start a new one.
            if (!isNotFound(err)) throw err;
            isRepeat = false;
          }
        }
        await this.#sink.create(event);
        return true;
      } catch (err) {
        // Once shutting down, a failing write is not retried: shutdown() waits for the queue.
        if (attempt === this.#attempts || this.#stopped) {
          this.#log.warn({ err, event: event.metadata.name, reason: event.reason }, 'could not write event');
          return isRepeat;
        }
        await this.#clock.sleep(Math.min(this.#retryDelayMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS));
      }
    }
    return isRepeat;
  }
}

/** An EventSink writing core/v1 Events through the runtime's client. */
export function clientEventSink(client: Pick<Client, 'create' | 'patch'>): EventSink {
  return {
    async create(event) {
      await client.create(event);
    },
    async update(event) {
      await client.patch(
        event,
        mergePatch({ count: event.count, lastTimestamp: event.lastTimestamp, message: event.message }),
      );
    },
  };
}
