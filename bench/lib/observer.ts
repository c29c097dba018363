// Watches the SparkApplications and driver pods of one or more namespaces from the harness and notes, per
// application, when (harness clock, ms) its driver pod was first seen, first seen Running, and when its status first
// showed each state.
// creationTimestamp has a resolution of one second, too coarse for latencies of milliseconds: watch arrival times are
// used instead (they include the watch's delivery delay, so latencies are overstated, never understated), and the
// resourceVersions of those writes are noted for a RevisionClock (lib/revision-clock.ts), which times them without
// the watch's delay.
import type { KubeConfig } from '@kubernetes/client-node';
import { Pods, SparkApplications } from '../../src/controllers/sparkapplication/kinds.ts';
import { decodeSlimPod, slimPod } from '../../src/controllers/sparkapplication/scope.ts';
import { Cache, gvkString, type KindScope, type KubeObject, silentLogger } from '../../src/runtime/index.ts';

const APP_NAME_LABEL = 'sparkoperator.k8s.io/app-name';

export interface AppTimes {
  /** Driver pods seen for this application (every pod ever added, by uid). */
  readonly driverPods: Set<string>;
  driverSeenMs?: number;
  /** The first driver pod's resourceVersion as created (its ADDED event). */
  driverCreatedRv?: string;
  /** When a driver pod was first seen Running (bound by the scheduler, started by kwok). */
  driverRunningMs?: number;
  /** The resourceVersion of the write that first showed a state, per state. */
  readonly stateRvs: Map<string, string>;
  /** First time each applicationState.state was seen. */
  readonly states: Map<string, number>;
  lastState?: string;
  errorMessage?: string;
}

export class Observer {
  readonly #cache: Cache;
  readonly #abort = new AbortController();
  readonly apps = new Map<string, AppTimes>();
  /** Called after every change seen (for waiting on a condition). */
  onChange: () => void = () => {};

  constructor(kubeConfig: KubeConfig, namespaces: string | readonly string[]) {
    const scope: KindScope = { namespaces: typeof namespaces === 'string' ? [namespaces] : [...namespaces] };
    this.#cache = new Cache({
      kubeConfig,
      logger: silentLogger(),
      scopes: new Map<string, KindScope>([
        [gvkString(SparkApplications), scope],
        // Pods in protobuf, slim, as the operator reads them: the API server encodes each pod event once for every
        // protobuf watcher, so the harness's watch adds little to its work (in JSON it would encode every one again).
        [
          gvkString(Pods),
          { ...scope, labelSelector: 'spark-role=driver', transform: slimPod, decodeProtobuf: decodeSlimPod },
        ],
      ]),
    });
  }

  #times(name: string): AppTimes {
    let t = this.apps.get(name);
    if (!t) {
      t = { driverPods: new Set(), states: new Map(), stateRvs: new Map() };
      this.apps.set(name, t);
    }
    return t;
  }

  async start(): Promise<void> {
    void this.#cache.start(this.#abort.signal);
    const apps = await this.#cache.getInformer(SparkApplications);
    const pods = await this.#cache.getInformer(Pods);
    const onApp = (obj: KubeObject & { status?: { applicationState?: { state?: string; errorMessage?: string } } }) => {
      const now = Date.now();
      const t = this.#times(obj.metadata?.name ?? '');
      const state = obj.status?.applicationState?.state ?? '';
      if (state && !t.states.has(state)) {
        t.states.set(state, now);
        t.stateRvs.set(state, obj.metadata?.resourceVersion ?? '');
      }
      t.lastState = state;
      t.errorMessage = obj.status?.applicationState?.errorMessage;
      this.onChange();
    };
    apps.addEventHandler({ onAdd: onApp, onUpdate: (_, o) => onApp(o) });
    const onPod = (pod: KubeObject & { status?: { phase?: string } }, added: boolean) => {
      const name = pod.metadata?.labels?.[APP_NAME_LABEL];
      if (!name) return;
      const t = this.#times(name);
      const now = Date.now();
      if (added && t.driverSeenMs === undefined) {
        t.driverSeenMs = now;
        t.driverCreatedRv = pod.metadata?.resourceVersion;
      }
      if (t.driverRunningMs === undefined && pod.status?.phase === 'Running') t.driverRunningMs = now;
      t.driverPods.add(pod.metadata?.uid ?? '');
      this.onChange();
    };
    pods.addEventHandler({ onAdd: (pod) => onPod(pod, true), onUpdate: (_, pod) => onPod(pod, false) });
    await this.#cache.waitForSync(this.#abort.signal);
  }

  /** Resolves when `done()` holds (checked after each change and every 500 ms), or rejects after `timeoutMs`. */
  until(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (err?: Error) => {
        clearInterval(poll);
        clearTimeout(timer);
        this.onChange = () => {};
        if (err) reject(err);
        else resolve();
      };
      const check = () => {
        if (done()) finish();
      };
      const poll = setInterval(check, 500);
      const timer = setTimeout(
        () => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
        timeoutMs,
      );
      this.onChange = check;
      check();
    });
  }

  stop(): void {
    this.#abort.abort();
  }
}
