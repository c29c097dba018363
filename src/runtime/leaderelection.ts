// Leader election on a coordination.k8s.io/v1 Lease, after client-go's leaderelection package:
//  - a candidate takes the lease when it is free (no holder) or expired; "expired" is judged by the candidate's own
//    clock — leaseDurationSeconds after it first saw the current record — so clock skew between hosts does not matter;
//  - the leader renews every retryPeriod; if it cannot renew for renewDeadline (or sees another holder) it has lost;
//  - on a clean stop the leader releases the lease (holder cleared), so a successor need not wait for expiry.
// Writes use the Lease's resourceVersion: of two candidates racing for one record, exactly one update succeeds.
import type { Logger } from 'pino';
import type { Client } from './client/client.ts';
import type { Clock } from './clock.ts';
import { realClock } from './clock.ts';
import { isAlreadyExists, isConflict, isNotFound } from './errors.ts';
import { silentLogger } from './log.ts';
import type { RuntimeMetrics } from './metrics.ts';

/** The fields of a Lease's spec that leader election uses. Times are RFC 3339 with microseconds. */
export interface LeaderRecord {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: string;
  readonly renewTime: string;
  readonly leaseTransitions: number;
}

export interface ObservedLease {
  readonly record: LeaderRecord;
  readonly resourceVersion: string;
}

/** Storage of the leader record: get / create / compare-and-swap update. */
export interface LeaseLock {
  readonly description: string;
  /** The current record, or undefined if the lease does not exist. */
  get(): Promise<ObservedLease | undefined>;
  /** Creates the lease and returns what was stored; undefined if someone else created it first. */
  create(record: LeaderRecord): Promise<ObservedLease | undefined>;
  /** Replaces the record if the lease is still at `resourceVersion`; undefined on a conflict. */
  update(record: LeaderRecord, resourceVersion: string): Promise<ObservedLease | undefined>;
}

export type Plan =
  | { readonly kind: 'create'; readonly record: LeaderRecord }
  | { readonly kind: 'update'; readonly record: LeaderRecord; readonly resourceVersion: string }
  | { readonly kind: 'heldByOther'; readonly holder: string; readonly expiresAt: number };

/** RFC 3339 with microseconds, as the API server's MicroTime wants it. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}

/**
 * The decision of one acquire-or-renew attempt. `observedAt` is when this candidate first saw `current` (by its
 * resourceVersion), on its own clock.
 */
export function planAcquireOrRenew(input: {
  readonly current: ObservedLease | undefined;
  readonly observedAt: number;
  readonly identity: string;
  readonly leaseDurationSeconds: number;
  readonly now: number;
}): Plan {
  const { current, identity, now } = input;
  const stamp = microTime(now);
  if (!current) {
    return {
      kind: 'create',
      record: {
        holderIdentity: identity,
        leaseDurationSeconds: input.leaseDurationSeconds,
        acquireTime: stamp,
        renewTime: stamp,
        leaseTransitions: 0,
      },
    };
  }
  const { record } = current;
  const holder = record.holderIdentity;
  const expiresAt = input.observedAt + record.leaseDurationSeconds * 1000;
  if (holder && holder !== identity && expiresAt > now) return { kind: 'heldByOther', holder, expiresAt };
  const renewing = holder === identity;
  return {
    kind: 'update',
    resourceVersion: current.resourceVersion,
    record: {
      holderIdentity: identity,
      leaseDurationSeconds: input.leaseDurationSeconds,
      acquireTime: renewing ? record.acquireTime : stamp,
      renewTime: stamp,
      leaseTransitions: renewing ? record.leaseTransitions : record.leaseTransitions + 1,
    },
  };
}

export interface LeaderElectionOptions {
  readonly lock: LeaseLock;
  /** Unique per candidate, e.g. hostname + random suffix. */
  readonly identity: string;
  /** How long a lease is valid after its last renewal, as non-leaders see it. Default 15 s. */
  readonly leaseDurationMs?: number;
  /** How long the leader keeps retrying a failed renewal before giving up. Default 10 s. */
  readonly renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew. Default 2 s. */
  readonly retryPeriodMs?: number;
  /** Clear the holder when stopped while leading, so a successor takes over at once. Default true. */
  readonly releaseOnCancel?: boolean;
  /** The `name` label of leader_election_master_status. */
  readonly name?: string;
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly metrics?: RuntimeMetrics;
  /** [0, 1) random numbers for retry jitter. Default Math.random. */
  readonly random?: () => number;
}

export class LeaderElectionConfigError extends Error {
  override readonly name = 'LeaderElectionConfigError';
}

/** How a leadership term ended. */
export type TermEnd = 'stopped' | 'lost';

export class LeaderElector {
  readonly identity: string;
  readonly #lock: LeaseLock;
  readonly #leaseMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryMs: number;
  readonly #releaseOnCancel: boolean;
  readonly #name: string;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #metrics: RuntimeMetrics | undefined;
  readonly #random: () => number;
  #observed: ObservedLease | undefined;
  #observedAt = 0;
  #leading = false;

  constructor(options: LeaderElectionOptions) {
    this.identity = options.identity;
    this.#lock = options.lock;
    this.#leaseMs = options.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryMs = options.retryPeriodMs ?? 2_000;
    if (!options.identity) throw new LeaderElectionConfigError('leader election needs a non-empty identity');
    if (!(this.#retryMs > 0)) throw new LeaderElectionConfigError(`retryPeriod must be > 0, not ${this.#retryMs} ms`);
    if (!(this.#renewDeadlineMs > this.#retryMs * 1.2)) {
      throw new LeaderElectionConfigError(
        `renewDeadline (${this.#renewDeadlineMs} ms) must exceed 1.2 × retryPeriod (${this.#retryMs} ms)`,
      );
    }
    if (!(this.#leaseMs > this.#renewDeadlineMs)) {
      throw new LeaderElectionConfigError(
        `leaseDuration (${this.#leaseMs} ms) must exceed renewDeadline (${this.#renewDeadlineMs} ms)`,
      );
    }
    this.#releaseOnCancel = options.releaseOnCancel ?? true;
    this.#name = options.name ?? options.lock.description;
    this.#clock = options.clock ?? realClock;
    this.#log = (options.log ?? silentLogger()).child({ lease: options.lock.description, identity: this.identity });
    this.#metrics = options.metrics;
    this.#random = options.random ?? Math.random;
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /**
   * Waits until this candidate holds the lease. Resolves true when it does, false if `signal` aborted first.
   * API errors are logged and retried: a candidate keeps trying as long as it runs.
   */
  async acquire(signal: AbortSignal): Promise<boolean> {
    this.#log.info('waiting to acquire the lease');
    let lastHolder = '';
    while (!signal.aborted) {
      const attempt = await this.#attempt(this.#renewDeadlineMs);
      if (attempt.ok) {
        this.#setLeading(true);
        this.#log.info('acquired the lease');
        return true;
      }
      if (attempt.holder && attempt.holder !== lastHolder) {
        lastHolder = attempt.holder;
        this.#log.info({ holder: attempt.holder }, 'the lease is held by another candidate');
      }
      // Jitter keeps candidates from hitting the API server in step.
      if (!(await this.#sleep(this.#retryMs * (1 + 0.2 * this.#random()), signal))) break;
    }
    return false;
  }

  /**
   * Keeps the lease renewed until `signal` aborts ('stopped': the lease is released if so configured) or renewal
   * fails for renewDeadline or another holder appears ('lost').
   */
  async holdUntil(signal: AbortSignal): Promise<TermEnd> {
    let lastRenewed = this.#clock.now();
    while (await this.#sleep(this.#retryMs, signal)) {
      const remaining = this.#renewDeadlineMs - (this.#clock.now() - lastRenewed);
      const attempt = await this.#attempt(Math.max(1, remaining));
      if (signal.aborted) break;
      if (attempt.ok) {
        lastRenewed = this.#clock.now();
        continue;
      }
      if (attempt.holder) {
        this.#log.error({ holder: attempt.holder }, 'leadership lost: another candidate holds the lease');
        this.#setLeading(false);
        return 'lost';
      }
      if (this.#clock.now() - lastRenewed >= this.#renewDeadlineMs) {
        this.#log.error({ renewDeadlineMs: this.#renewDeadlineMs }, 'leadership lost: could not renew in time');
        this.#setLeading(false);
        return 'lost';
      }
    }
    if (this.#releaseOnCancel) await this.release();
    this.#setLeading(false);
    return 'stopped';
  }

  /** Gives the lease up if this candidate holds it: clears the holder, so the next candidate need not wait. */
  async release(): Promise<boolean> {
    const observed = this.#observed;
    if (!observed || observed.record.holderIdentity !== this.identity) return false;
    const now = microTime(this.#clock.now());
    try {
      const released =
        (await this.#lock.update(
          { ...observed.record, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now },
          observed.resourceVersion,
        )) !== undefined;
      this.#log.info({ released }, released ? 'released the lease' : 'could not release the lease: it changed');
      return released;
    } catch (err) {
      this.#log.warn({ err }, 'could not release the lease');
      return false;
    } finally {
      this.#observed = undefined;
    }
  }

  async #tryAcquireOrRenew(): Promise<{ ok: boolean; holder?: string }> {
    try {
      const current = await this.#lock.get();
      const now = this.#clock.now();
      if (current?.resourceVersion !== this.#observed?.resourceVersion) {
        this.#observed = current;
        this.#observedAt = now;
      }
      const plan = planAcquireOrRenew({
        current,
        observedAt: this.#observedAt,
        identity: this.identity,
        leaseDurationSeconds: Math.max(1, Math.ceil(this.#leaseMs / 1000)),
        now,
      });
      switch (plan.kind) {
        case 'heldByOther':
          return { ok: false, holder: plan.holder };
        case 'create':
          return this.#wrote(await this.#lock.create(plan.record));
        case 'update':
          return this.#wrote(await this.#lock.update(plan.record, plan.resourceVersion));
      }
    } catch (err) {
      this.#log.warn({ err }, 'lease request failed');
      return { ok: false };
    }
  }

  /** Remembers our own write, so the next renewal carries its resourceVersion. */
  #wrote(stored: ObservedLease | undefined): { ok: boolean } {
    if (!stored) return { ok: false }; // lost a race: the next attempt reads the winner's record
    this.#observed = stored;
    this.#observedAt = this.#clock.now();
    return { ok: stored.record.holderIdentity === this.identity };
  }

  /** One attempt, bounded by `ms`: a hung request must not outlast the renew deadline. */
  async #attempt(ms: number): Promise<{ ok: boolean; holder?: string }> {
    let timer: { cancel(): void } | undefined;
    const timeout = new Promise<{ ok: boolean }>((resolve) => {
      timer = this.#clock.setTimer(ms, () => resolve({ ok: false }));
    });
    try {
      return await Promise.race([this.#tryAcquireOrRenew(), timeout]);
    } finally {
      timer?.cancel();
    }
  }

  #setLeading(leading: boolean): void {
    this.#leading = leading;
    this.#metrics?.leaderElectionStatus.set({ name: this.#name }, leading ? 1 : 0);
  }

  async #sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    try {
      await this.#clock.sleep(ms, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** A Lease object as the client reads and writes it (plain JSON). */
interface LeaseObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: Partial<LeaderRecord>;
}

const LEASE_KIND = { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' } as const;

/** A LeaseLock on a coordination.k8s.io/v1 Lease, read live (never from the cache) through the runtime's client. */
export function leaseLock(
  client: Pick<Client, 'apiReader' | 'create' | 'update'>,
  namespace: string,
  name: string,
): LeaseLock {
  const toObserved = (lease: LeaseObject): ObservedLease => ({
    resourceVersion: lease.metadata?.resourceVersion ?? '',
    record: {
      holderIdentity: lease.spec?.holderIdentity ?? '',
      leaseDurationSeconds: lease.spec?.leaseDurationSeconds ?? 0,
      acquireTime: lease.spec?.acquireTime ?? '',
      renewTime: lease.spec?.renewTime ?? '',
      leaseTransitions: lease.spec?.leaseTransitions ?? 0,
    },
  });
  const body = (record: LeaderRecord, resourceVersion?: string): LeaseObject => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: record,
  });
  return {
    description: `${namespace}/${name}`,
    async get() {
      try {
        return toObserved(await client.apiReader.get<LeaseObject>(LEASE_KIND, { namespace, name }));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async create(record) {
      try {
        return toObserved(await client.create(body(record)));
      } catch (err) {
        if (isAlreadyExists(err)) return undefined;
        throw err;
      }
    },
    async update(record, resourceVersion) {
      try {
        return toObserved(await client.update(body(record, resourceVersion)));
      } catch (err) {
        if (isConflict(err)) return undefined;
        throw err;
      }
    },
  };
}
