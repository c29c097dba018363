// The manager runs a process's controllers and everything they share, in this order:
//   HTTP servers (/metrics, /healthz, /readyz) → caches (until synced) → runnables that need no leadership →
//   leader election → leader-only runnables (controllers).
// Stopping (the signal passed to start, or SIGTERM/SIGINT with runUntilSignalled) goes the other way: controllers
// stop taking work and finish what is in flight (bounded by gracefulShutdownTimeout), the lease is released, then the
// rest stops. A lost lease stops the controllers at once and calls onLeaderLost (default: exit the process).
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Cache, type KindScope } from './cache/cache.ts';
import type { InitialState } from './cache/watcher.ts';
import type { Client } from './client/client.ts';
import { newClient } from './client/client.ts';
import type { Clock } from './clock.ts';
import { realClock } from './clock.ts';
import type { EventRecorder } from './events.ts';
import { clientEventSink, EventBroadcaster } from './events.ts';
import type { LeaseLock } from './leaderelection.ts';
import { LeaderElector, leaseLock } from './leaderelection.ts';
import { silentLogger } from './log.ts';
import { newRegistry, RuntimeMetrics } from './metrics.ts';
import type { KubeAccess } from './rest/kubeconfig.ts';
import type { InformerProvider } from './source.ts';

export interface RunOptions {
  /** Aborts when the manager stops waiting for a graceful stop: abandon work in flight. */
  readonly forceStop?: AbortSignal;
}

/** Anything the manager runs: resolves once stopped after `signal` aborts; rejecting stops the whole manager. */
export interface Runnable {
  /** Default false: runs on every replica. Controllers say true. */
  readonly needLeaderElection?: boolean;
  start(signal: AbortSignal, options?: RunOptions): Promise<void>;
  /** Optional: resolves true once started and working (a controller: its sources synced), false if it never was. */
  whenStarted?(): Promise<boolean>;
}

/** The cache as the manager drives it (the runtime's Cache satisfies this). */
export interface ManagerCache extends InformerProvider {
  start(signal: AbortSignal): Promise<void>;
  waitForSync(signal?: AbortSignal): Promise<boolean>;
}

/** A named health or readiness check: resolves when fine, throws (with a reason) when not. */
export type Check = () => void | Promise<void>;

export interface LeaderElectionConfig {
  /** Name of the coordination.k8s.io/v1 Lease. */
  readonly leaseName: string;
  readonly leaseNamespace: string;
  /** Default: host name + a random suffix. */
  readonly identity?: string;
  /** Default 15 s. */
  readonly leaseDurationMs?: number;
  /** Default 10 s. */
  readonly renewDeadlineMs?: number;
  /** Default 2 s. */
  readonly retryPeriodMs?: number;
  /** Release the lease when stopping. Default true; false behaves like a crash (successor waits for expiry). */
  readonly releaseOnCancel?: boolean;
  /** Called once leadership is lost, after the controllers were told to stop. Default: log and process.exit(1). */
  readonly onLeaderLost?: () => void;
  /** Another lock than a Lease through the client (tests). */
  readonly lock?: LeaseLock;
}

export interface ManagerOptions {
  /** The cluster; needed unless both cache and client are given. */
  readonly kubeConfig?: KubeAccess;
  /** Default: a Cache on kubeConfig sharing the manager's clock, logger and registry. */
  readonly cache?: ManagerCache;
  /** For the default cache: what each kind's informer watches, keyed by gvkString (e.g. only some namespaces). */
  readonly cacheScopes?: ReadonlyMap<string, KindScope>;
  /** For the default cache: how its informers get the full state (CacheOptions.initialState). */
  readonly initialState?: InitialState;
  /** Default: a client on kubeConfig reading cached kinds from the cache. */
  readonly client?: Client;
  /** Default: a fresh registry (its metrics are served on /metrics). */
  readonly registry?: Registry;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** "host:port" for /metrics ("127.0.0.1:0" picks a free port); undefined serves none. */
  readonly metricsBindAddress?: string;
  /** "host:port" for /healthz and /readyz; may equal metricsBindAddress (one server then). */
  readonly healthProbeBindAddress?: string;
  /** Default: no leader election (every replica runs the controllers). */
  readonly leaderElection?: LeaderElectionConfig;
  /** How long stopping waits for runnables (in-flight reconciles) before abandoning them. Default 30 s. */
  readonly gracefulShutdownTimeoutMs?: number;
  /** Catch promise rejections nobody handled (a reconciler's stray promise) instead of dying. Default true. */
  readonly catchUnhandledRejections?: boolean;
}

export class ManagerError extends Error {
  override readonly name = 'ManagerError';
}
export class LeaderElectionLostError extends Error {
  override readonly name = 'LeaderElectionLostError';
}

export class Manager {
  readonly cache: ManagerCache;
  readonly client: Client;
  readonly registry: Registry;
  readonly metrics: RuntimeMetrics;
  readonly log: Logger;
  readonly clock: Clock;
  readonly #options: ManagerOptions;
  readonly #runnables: Runnable[] = [];
  readonly #healthz = new Map<string, Check>();
  readonly #readyz = new Map<string, Check>();
  #events: EventBroadcaster | undefined;
  #elector: LeaderElector | undefined;
  #started = false;
  /** See whenReady(). */
  #ready = Promise.withResolvers<boolean>();
  #addresses: { metrics?: AddressInfo; health?: AddressInfo } = {};

  constructor(options: ManagerOptions) {
    this.#options = options;
    this.registry = options.registry ?? newRegistry();
    this.metrics = RuntimeMetrics.for(this.registry);
    this.log = options.logger ?? silentLogger();
    this.clock = options.clock ?? realClock;
    const { kubeConfig } = options;
    if (!kubeConfig && !(options.cache && options.client)) {
      throw new ManagerError('a manager needs a kubeConfig (or both a cache and a client)');
    }
    const shared = { clock: this.clock, metrics: this.registry };
    const cache =
      options.cache ??
      new Cache({
        kubeConfig: kubeConfig as KubeAccess,
        logger: this.log.child({ component: 'cache' }),
        ...(options.cacheScopes ? { scopes: options.cacheScopes } : {}),
        ...(options.initialState ? { initialState: options.initialState } : {}),
        ...shared,
      });
    this.cache = cache;
    this.client =
      options.client ??
      newClient({
        kubeConfig: kubeConfig as KubeAccess,
        logger: this.log.child({ component: 'client' }),
        ...(cache instanceof Cache ? { cache } : {}),
        ...shared,
      });
    for (const [what, address] of [
      ['metricsBindAddress', options.metricsBindAddress],
      ['healthProbeBindAddress', options.healthProbeBindAddress],
    ] as const) {
      if (address !== undefined) parseAddress(what, address);
    }
    if (options.leaderElection) {
      const le = options.leaderElection;
      if (!le.leaseName || !le.leaseNamespace) {
        throw new ManagerError('leader election needs leaseName and leaseNamespace');
      }
      this.#elector = new LeaderElector({
        lock: le.lock ?? leaseLock(this.client, le.leaseNamespace, le.leaseName),
        identity: le.identity ?? `${hostname()}_${crypto.randomUUID()}`,
        name: le.leaseName,
        clock: this.clock,
        log: this.log.child({ component: 'leader-election' }),
        metrics: this.metrics,
        ...(le.leaseDurationMs !== undefined ? { leaseDurationMs: le.leaseDurationMs } : {}),
        ...(le.renewDeadlineMs !== undefined ? { renewDeadlineMs: le.renewDeadlineMs } : {}),
        ...(le.retryPeriodMs !== undefined ? { retryPeriodMs: le.retryPeriodMs } : {}),
        ...(le.releaseOnCancel !== undefined ? { releaseOnCancel: le.releaseOnCancel } : {}),
      });
    }
  }

  /** This replica's leader-election identity, if leader election is on. */
  get identity(): string | undefined {
    return this.#elector?.identity;
  }

  get isLeader(): boolean {
    return this.#elector ? this.#elector.isLeader : this.#started;
  }

  /** The bound addresses of the HTTP servers, once started (useful with port 0). */
  get addresses(): { readonly metrics?: AddressInfo; readonly health?: AddressInfo } {
    return this.#addresses;
  }

  getInformer: InformerProvider['getInformer'] = (gvk) => this.cache.getInformer(gvk);

  /** Adds a runnable; all runnables are added before start. */
  add(runnable: Runnable): void {
    if (this.#started) throw new ManagerError('add runnables before starting the manager');
    this.#runnables.push(runnable);
  }

  addHealthzCheck(name: string, check: Check): void {
    addCheck(this.#healthz, 'healthz', name, check);
  }

  addReadyzCheck(name: string, check: Check): void {
    addCheck(this.#readyz, 'readyz', name, check);
  }

  /** An event recorder signing events with `component`; events are written in the background. */
  getEventRecorderFor(component: string): EventRecorder {
    if (!this.#events) {
      const events = new EventBroadcaster({
        sink: clientEventSink(this.client),
        clock: this.clock,
        log: this.log.child({ component: 'events' }),
      });
      this.metrics.forEventRecorder(() => ({ rateLimited: events.dropped, queueFull: events.droppedQueueFull }));
      this.#events = events;
    }
    return this.#events.recorderFor(component);
  }

  /**
   * Runs everything until `signal` aborts, then stops in order and resolves. Rejects if a runnable fails, the
   * caches cannot sync, or leadership is lost (after calling onLeaderLost).
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#started) throw new ManagerError('the manager was already started');
    this.#started = true;
    const stopRejections = this.#catchRejections();
    const run = new ManagerRun(signal);
    try {
      await this.#runUntilStopped(run);
    } catch (err) {
      run.fail(err);
    } finally {
      await this.#stopInOrder(run);
      stopRejections();
    }
    if (run.failed !== undefined) throw run.failed;
  }

  /** Servers, caches (synced), the runnables that need no leadership, then leadership and the leader-only ones. */
  async #runUntilStopped(run: ManagerRun): Promise<void> {
    run.servers.push(...(await this.#startServers()));
    this.log.info('starting caches');
    run.cacheRun = this.cache.start(run.others.signal).catch((err: unknown) => run.fail(err));
    const synced = await this.cache.waitForSync(run.anyStop);
    if (!synced && !run.anyStop.aborted) throw new ManagerError('the caches did not sync');
    if (run.anyStop.aborted) return;
    const started: Runnable[] = [];
    for (const r of this.#runnables.filter((r) => !r.needLeaderElection)) {
      run.otherRuns.push(this.#track(run, r, run.others.signal));
      started.push(r);
    }
    if (this.#elector && (await this.#elector.acquire(run.anyStop))) {
      run.term = this.#elector.holdUntil(run.holding.signal);
      void run.term.then((end) => {
        if (end !== 'lost') return;
        run.leaders.abort(); // stop taking work before anyone else is told
        run.fail(new LeaderElectionLostError(`leadership of lease ${this.#options.leaderElection?.leaseName} lost`));
      });
    }
    if (!run.anyStop.aborted && (!this.#elector || this.#elector.isLeader)) {
      this.log.info('starting leader-only runnables');
      for (const r of this.#runnables.filter((r) => r.needLeaderElection)) {
        run.leaderRuns.push(this.#track(run, r, run.leaders.signal));
        started.push(r);
      }
    }
    void Promise.all(started.map((r) => r.whenStarted?.() ?? true)).then((all) =>
      this.#ready.resolve(all.every(Boolean) && !run.anyStop.aborted),
    );
    await abortedOf(run.anyStop);
  }

  /** Starts a runnable; its failure stops the manager. */
  #track(run: ManagerRun, runnable: Runnable, runSignal: AbortSignal): Promise<void> {
    return runnable.start(runSignal, { forceStop: run.forceStop.signal }).catch((err: unknown) => {
      this.log.error({ err }, 'a runnable failed; stopping the manager');
      run.fail(err);
    });
  }

  /**
   * Leader-only runnables first, then the lease (the next leader must not overlap our reconciles), then the rest
   * and the caches, the event recorder and the servers; work still running after the graceful timeout is abandoned.
   */
  async #stopInOrder(run: ManagerRun): Promise<void> {
    this.#ready.resolve(false); // no-op once ready
    this.log.info('stopping');
    run.leaders.abort();
    const deadline = this.clock.setTimer(this.#options.gracefulShutdownTimeoutMs ?? 30_000, () => {
      this.log.warn('graceful shutdown timed out; abandoning work in flight');
      run.forceStop.abort();
    });
    if (run.failed instanceof LeaderElectionLostError) this.#leaderLost();
    await Promise.race([Promise.all(run.leaderRuns), abortedOf(run.forceStop.signal)]);
    run.holding.abort();
    await run.term;
    run.others.abort();
    await Promise.race([Promise.all([...run.otherRuns, run.cacheRun]), abortedOf(run.forceStop.signal)]);
    await this.#events?.shutdown();
    deadline.cancel();
    await Promise.all(run.servers.map(closeServer));
    this.log.info('stopped');
  }

  /**
   * Resolves true once start() has synced the caches and the runnables it started are working (controllers: their
   * sources synced) — on a replica that is not the leader, the runnables that need no leadership; false when start()
   * ended before that (failed or stopped). For "the operator is up".
   */
  whenReady(): Promise<boolean> {
    return this.#ready.promise;
  }

  /** start() until SIGTERM or SIGINT; a second signal exits at once. */
  async runUntilSignalled(): Promise<void> {
    const stop = new AbortController();
    const onSignal = (name: NodeJS.Signals) => {
      if (stop.signal.aborted) {
        this.log.warn({ signal: name }, 'second signal: exiting now');
        process.exit(1);
      }
      this.log.info({ signal: name }, 'signal received: shutting down');
      stop.abort();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    try {
      await this.start(stop.signal);
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  }

  #leaderLost(): void {
    const onLost = this.#options.leaderElection?.onLeaderLost;
    if (onLost) {
      onLost();
      return;
    }
    this.log.fatal('leadership lost: exiting so that only the new leader acts');
    process.exit(1);
  }

  #catchRejections(): () => void {
    if (this.#options.catchUnhandledRejections === false) return () => {};
    const onRejection = (reason: unknown) => {
      this.metrics.unhandledRejections.inc();
      this.log.error({ err: reason }, 'unhandled promise rejection (caught by the manager)');
    };
    process.on('unhandledRejection', onRejection);
    return () => process.off('unhandledRejection', onRejection);
  }

  async #startServers(): Promise<Server[]> {
    const { metricsBindAddress: metrics, healthProbeBindAddress: health } = this.#options;
    const servers: Server[] = [];
    // One server for both when given the same fixed address; ":0" means a port of its own each.
    const shared = metrics !== undefined && metrics === health && !metrics.endsWith(':0');
    const routes = (withMetrics: boolean, withHealth: boolean) =>
      createServer((req, res) => {
        void this.#serve(req.url ?? '/', withMetrics, withHealth).then(
          ({ status, type, body }) => {
            res.writeHead(status, { 'content-type': type });
            res.end(body);
          },
          (err: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`internal error: ${err instanceof Error ? err.message : String(err)}\n`);
          },
        );
      });
    if (metrics !== undefined) {
      const server = routes(true, shared);
      const address = await listen(server, parseAddress('metricsBindAddress', metrics));
      servers.push(server);
      this.#addresses = { ...this.#addresses, metrics: address, ...(shared ? { health: address } : {}) };
      this.log.info({ address: `${address.address}:${address.port}` }, 'serving metrics');
    }
    if (health !== undefined && !shared) {
      const server = routes(false, true);
      const address = await listen(server, parseAddress('healthProbeBindAddress', health));
      servers.push(server);
      this.#addresses = { ...this.#addresses, health: address };
      this.log.info({ address: `${address.address}:${address.port}` }, 'serving health probes');
    }
    return servers;
  }

  async #serve(url: string, withMetrics: boolean, withHealth: boolean): Promise<HttpAnswer> {
    const path = url.split('?')[0] ?? '/';
    if (withMetrics && path === '/metrics') {
      return { status: 200, type: this.registry.contentType, body: await this.registry.metrics() };
    }
    if (withHealth) {
      for (const [prefix, checks] of [
        ['/healthz', this.#healthz],
        ['/readyz', this.#readyz],
      ] as const) {
        if (path === prefix) return runChecks(checks, url.includes('verbose'));
        if (path.startsWith(`${prefix}/`)) {
          const name = path.slice(prefix.length + 1);
          const check = checks.get(name);
          if (!check) return { status: 404, type: 'text/plain', body: `no check named ${JSON.stringify(name)}\n` };
          return runChecks(new Map([[name, check]]), true);
        }
      }
    }
    return { status: 404, type: 'text/plain', body: 'not found\n' };
  }
}

interface HttpAnswer {
  readonly status: number;
  readonly type: string;
  readonly body: string;
}

/** Runs checks in name order; the answer lists each as [+] or [-] (always when failing, else when verbose). */
async function runChecks(checks: ReadonlyMap<string, Check>, verbose: boolean): Promise<HttpAnswer> {
  const lines: string[] = [];
  let ok = true;
  for (const name of [...checks.keys()].sort()) {
    try {
      await checks.get(name)?.();
      lines.push(`[+]${name} ok`);
    } catch (err) {
      ok = false;
      lines.push(`[-]${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (ok && !verbose) return { status: 200, type: 'text/plain', body: 'ok\n' };
  lines.push(ok ? 'check passed' : 'check failed');
  return { status: ok ? 200 : 500, type: 'text/plain', body: `${lines.join('\n')}\n` };
}

function addCheck(checks: Map<string, Check>, kind: string, name: string, check: Check): void {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new ManagerError(`${kind} check name ${JSON.stringify(name)}: use lower-case letters, digits and dashes`);
  }
  if (checks.has(name)) throw new ManagerError(`${kind} check ${JSON.stringify(name)} is already registered`);
  checks.set(name, check);
}

function parseAddress(what: string, address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(colon + 1));
  if (colon < 0 || !host || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ManagerError(`${what} ${JSON.stringify(address)}: expected host:port, e.g. 127.0.0.1:8080`);
  }
  return { host, port };
}

function listen(server: Server, at: { host: string; port: number }): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new ManagerError(`cannot listen on ${at.host}:${at.port}`, { cause: err })));
    server.listen(at.port, at.host, () => resolve(server.address() as AddressInfo));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function abortedOf(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** One start() of a manager: what it started, and the signals that stop each part in order. */
class ManagerRun {
  /** A runnable failed or leadership was lost. */
  readonly failure = new AbortController();
  readonly leaders = new AbortController();
  readonly others = new AbortController();
  readonly forceStop = new AbortController();
  /** Aborted to give the lease up. */
  readonly holding = new AbortController();
  /** The caller's stop or a failure. */
  readonly anyStop: AbortSignal;
  readonly servers: Server[] = [];
  readonly leaderRuns: Promise<void>[] = [];
  readonly otherRuns: Promise<void>[] = [];
  cacheRun: Promise<void> = Promise.resolve();
  term: Promise<'stopped' | 'lost'> | undefined;
  failed: unknown;

  constructor(signal: AbortSignal) {
    this.anyStop = AbortSignal.any([signal, this.failure.signal]);
  }

  fail(err: unknown): void {
    this.failed ??= err;
    this.failure.abort(err);
  }
}
