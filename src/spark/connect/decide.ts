// What a SparkConnect needs next, decided from what was observed: the status to write, the objects to create or
// delete, the events to record and when to look again. Pure; the reconciler (src/controllers/sparkconnect/) reads
// the cluster, calls decide(), writes the status first, then performs the actions.
//
// The status is the record of intent: the ServerPodReady condition's reason says what the operator is doing
// (creating a server, replacing it for a changed spec, waiting to start a dead one again), so that a reconcile that
// finds no server pod knows whether that is expected or a server someone deleted.
import type { V1ConfigMap, V1Pod, V1Service } from '@kubernetes/client-node';
import type { Condition, SparkConnect, SparkConnectState, SparkConnectStatus } from '../../api/index.ts';
import { canonicalHash } from '../lifecycle/spec-hash.ts';
import { formatTime } from '../lifecycle/time.ts';
import { CONNECT_PORT, SERVER_CONTAINER_NAME, SPEC_HASH_ANNOTATION, serverPodName, serviceName } from './names.ts';
import {
  type ConnectSettings,
  ConnectSpecError,
  connectSpecHash,
  DEFAULT_CONNECT_SETTINGS,
  desiredConfigMap,
  desiredServerPod,
  desiredService,
} from './resources.ts';

/** kubeflow's condition type. */
export const SERVER_POD_READY = 'ServerPodReady';

/**
 * The reasons of the ServerPodReady condition. kubeflow's: ServerPodReady, ServerPodNotReady, Restarting. sparkop's
 * own: ServerPodStarting, SpecChanged, InvalidSpec, ServerPodNameTaken.
 */
export type ConnectReason =
  | 'ServerPodReady'
  | 'ServerPodNotReady'
  | 'ServerPodStarting'
  | 'SpecChanged'
  | 'Restarting'
  | 'InvalidSpec'
  | 'ServerPodNameTaken';

/** Backoff before a dead server is started again: 1 s doubling per restart, at most 5 min; reset by 10 min of life. */
export const RESTART_BACKOFF = { initialMs: 1_000, maxMs: 300_000, stableMs: 600_000 } as const;

/** How long to wait before starting a server again that died at `diedAtMs`, after `attempts` restarts. */
export function restartDelayMs(attempts: number, lastRestartTime: string | undefined, diedAtMs: number): number {
  const last = lastRestartTime ? Date.parse(lastRestartTime) : Number.NaN;
  if (!Number.isNaN(last) && diedAtMs - last >= RESTART_BACKOFF.stableMs) return RESTART_BACKOFF.initialMs;
  return Math.min(RESTART_BACKOFF.initialMs * 2 ** Math.min(attempts, 30), RESTART_BACKOFF.maxMs);
}

/** What decide() reads of the server pod. */
export interface ServerView {
  readonly name: string;
  readonly uid: string;
  /** Controlled by this SparkConnect (its uid). */
  readonly owned: boolean;
  /** SPEC_HASH_ANNOTATION: the spec the pod was built from. */
  readonly hash?: string;
  /** Pending, Running, Succeeded, Failed or Unknown. */
  readonly phase: string;
  readonly deleting: boolean;
  /** The Ready condition is True. */
  readonly ready: boolean;
  readonly podIP?: string;
  readonly createdAtMs?: number;
  /** Why it is not ready, or how it ended. */
  readonly detail: string;
}

/** What decide() reads of a Service labelled with the SparkConnect's name, or named as its Service. */
export interface ServiceView {
  readonly name: string;
  readonly uid: string;
  readonly owned: boolean;
  readonly hash?: string;
  readonly deleting: boolean;
}

export interface ConnectObservation {
  readonly connect: SparkConnect;
  readonly server?: ServerView;
  /** The Service of serviceName(connect), and any others carrying the SparkConnect's name label. */
  readonly services: readonly ServiceView[];
  /** Pod phases of the current server's executors. */
  readonly executorPhases: readonly string[];
  readonly nowMs: number;
  readonly settings?: ConnectSettings;
}

export type ConnectAction =
  | { readonly kind: 'CreateService'; readonly service: V1Service }
  | { readonly kind: 'DeleteService'; readonly name: string; readonly uid: string }
  | { readonly kind: 'ApplyConfigMap'; readonly configMap: V1ConfigMap }
  | { readonly kind: 'CreateServerPod'; readonly pod: V1Pod }
  | {
      readonly kind: 'DeleteServerPod';
      readonly name: string;
      readonly uid: string;
      /** 0 for a pod whose containers have ended: nothing to stop, and its name is free at once. */
      readonly gracePeriodSeconds?: number;
    };

export interface ConnectEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

export interface ConnectPlan {
  readonly status: SparkConnectStatus;
  readonly actions: readonly ConnectAction[];
  /** Recorded after the status is written: one per change of the condition's reason. */
  readonly events: readonly ConnectEvent[];
  readonly requeueAfterMs?: number;
}

const TERMINATED = new Set(['Succeeded', 'Failed']);

/** The events of a condition entering a reason. */
const EVENT_OF: Partial<Record<ConnectReason, { type: 'Normal' | 'Warning'; reason: string }>> = {
  ServerPodReady: { type: 'Normal', reason: 'SparkConnectServerReady' },
  ServerPodStarting: { type: 'Normal', reason: 'SparkConnectServerStarting' },
  SpecChanged: { type: 'Normal', reason: 'SparkConnectSpecChanged' },
  Restarting: { type: 'Warning', reason: 'SparkConnectServerDied' },
  InvalidSpec: { type: 'Warning', reason: 'SparkConnectInvalid' },
  ServerPodNameTaken: { type: 'Warning', reason: 'SparkConnectServerNameTaken' },
};

interface Outcome {
  state: SparkConnectState;
  status: Condition['status'];
  reason: ConnectReason;
  message: string;
}

export function decide(o: ConnectObservation): ConnectPlan {
  const { connect, nowMs } = o;
  const settings = o.settings ?? DEFAULT_CONNECT_SETTINGS;
  const now = formatTime(nowMs);
  const prev = connect.status ?? {};
  const prevCondition = prev.conditions?.find((c) => c.type === SERVER_POD_READY);
  const podName = serverPodName(connect);
  const actions: ConnectAction[] = [];
  const events: ConnectEvent[] = [];
  const requeues: number[] = [];
  let restartAttempts = prev.restartAttempts ?? 0;
  let lastRestartTime = prev.lastRestartTime;

  let pod: V1Pod | undefined;
  let invalid: string | undefined;
  try {
    pod = desiredServerPod(connect, settings);
  } catch (err) {
    if (!(err instanceof ConnectSpecError)) throw err;
    invalid = err.message;
  }

  const svcName = serviceName(connect);
  if (pod) serviceActions(connect, o.services, actions, events, requeues);

  const server = o.server;
  const reason = prevCondition?.reason as ConnectReason | undefined;
  const since = prevCondition ? Date.parse(prevCondition.lastTransitionTime) : nowMs;
  const notReady = (r: ConnectReason, message: string): Outcome => ({
    state: 'NotReady',
    status: 'False',
    reason: r,
    message,
  });
  const keep = (): Outcome => notReady(reason ?? 'ServerPodNotReady', prevCondition?.message ?? '');
  const create = (message: string): Outcome => {
    if (!pod) throw new Error('create without a pod');
    actions.push({ kind: 'ApplyConfigMap', configMap: desiredConfigMap(connect) });
    actions.push({ kind: 'CreateServerPod', pod });
    return notReady('ServerPodStarting', message);
  };
  const died = (how: string): Outcome => {
    requeues.push(restartDelayMs(restartAttempts, lastRestartTime, nowMs));
    return notReady('Restarting', `${how}; a new server starts after a backoff`);
  };
  /** Milliseconds until a dead server may start again (≤ 0: now). */
  const untilRestart = () => since + restartDelayMs(restartAttempts, lastRestartTime, since) - nowMs;
  const restart = (): Outcome => {
    restartAttempts += 1;
    lastRestartTime = now;
    const previous = prevCondition?.message.replace(/; a new server starts after a backoff$/, '') ?? 'it ended';
    return create(`starting server pod ${podName} again (restart ${restartAttempts}): ${previous}`);
  };

  let outcome: Outcome;
  if (invalid !== undefined) {
    outcome = { state: 'Failed', status: 'False', reason: 'InvalidSpec', message: invalid };
  } else if (server && !server.owned) {
    if (server.deleting) {
      // An earlier SparkConnect of the same name, deleted: its server goes, then this one starts.
      requeues.push(1_000);
      outcome = notReady(
        'ServerPodStarting',
        `waiting for pod ${podName} of an earlier owner to be deleted, then creating the server`,
      );
    } else {
      requeues.push(30_000);
      outcome = notReady(
        'ServerPodNameTaken',
        `pod ${podName} exists and is not this SparkConnect's: delete it, or give the SparkConnect another name`,
      );
    }
  } else if (server?.deleting) {
    requeues.push(1_000);
    outcome =
      reason === 'SpecChanged' || reason === 'Restarting' || reason === 'ServerPodStarting'
        ? keep()
        : died(`server pod ${podName} is being deleted`);
  } else if (server && server.hash !== connectSpecHash(connect)) {
    const ended = TERMINATED.has(server.phase);
    actions.push({
      kind: 'DeleteServerPod',
      name: server.name,
      uid: server.uid,
      ...(ended ? { gracePeriodSeconds: 0 } : {}),
    });
    requeues.push(1_000);
    // New settings, a fresh start: restarts count per spec, as kubeflow counts them per generation.
    restartAttempts = 0;
    outcome = notReady('SpecChanged', `the spec changed: replacing server pod ${podName}`);
  } else if (server && TERMINATED.has(server.phase)) {
    // The dead pod a restart deleted, still there: created before the restart's backoff began (a pod's creation time
    // has whole seconds; the backoff is at least a second), unlike a new server that died already.
    const leftover =
      reason === 'ServerPodStarting' &&
      lastRestartTime !== undefined &&
      (server.createdAtMs ?? 0) <= Date.parse(lastRestartTime) - RESTART_BACKOFF.initialMs;
    if (reason === 'Restarting' || leftover) {
      const wait = leftover ? 0 : untilRestart();
      if (wait > 0) {
        requeues.push(wait);
        outcome = keep();
      } else {
        actions.push({ kind: 'DeleteServerPod', name: server.name, uid: server.uid, gracePeriodSeconds: 0 });
        outcome = leftover ? create(prevCondition?.message ?? `creating server pod ${podName}`) : restart();
      }
    } else {
      outcome = died(`server pod ${podName} ${server.detail}`);
    }
  } else if (server) {
    outcome = server.ready
      ? {
          state: 'Ready',
          status: 'True',
          reason: 'ServerPodReady',
          message: `server pod ${podName} is ready: Spark Connect listens on port ${CONNECT_PORT}`,
        }
      : notReady('ServerPodNotReady', `server pod ${podName} is not ready: ${server.detail}`);
  } else if (reason === 'Restarting') {
    const wait = untilRestart();
    if (wait > 0) {
      requeues.push(wait);
      outcome = keep();
    } else {
      outcome = restart();
    }
  } else if (reason === 'ServerPodReady' || reason === 'ServerPodNotReady') {
    outcome = died(`server pod ${podName} was deleted`);
  } else {
    outcome = create(`creating server pod ${podName}`);
  }

  const condition = nextCondition(prevCondition, outcome, now, connect.metadata.generation);
  if (condition.reason !== prevCondition?.reason) {
    const event = EVENT_OF[condition.reason as ConnectReason];
    if (event) events.push({ ...event, message: condition.message });
  }
  const live = server?.owned && !server.deleting ? server : undefined;
  const executors = countByPhase(live ? o.executorPhases : []);
  const { lastUpdateTime: _l, restartAttempts: _r, lastRestartTime: _t, executors: _e, ...rest } = prev;
  const next: SparkConnectStatus = {
    ...rest,
    state: outcome.state,
    conditions: [...(prev.conditions ?? []).filter((c) => c.type !== SERVER_POD_READY), condition],
    server: { podName, ...(live?.podIP ? { podIp: live.podIP } : {}), serviceName: svcName },
    startTime: prev.startTime ?? now,
    ...(Object.keys(executors).length > 0 ? { executors } : {}),
    ...(restartAttempts > 0 ? { restartAttempts } : {}),
    ...(lastRestartTime ? { lastRestartTime } : {}),
  };
  const { lastUpdateTime: _p, ...prevWithoutTime } = prev;
  const changed = canonicalHash(prevWithoutTime) !== canonicalHash(next);
  const lastUpdateTime = changed ? now : prev.lastUpdateTime;
  const status: SparkConnectStatus = { ...next, ...(lastUpdateTime ? { lastUpdateTime } : {}) };
  const positive = requeues.filter((ms) => ms > 0);
  return {
    status,
    actions,
    events,
    ...(positive.length > 0 ? { requeueAfterMs: Math.min(...positive) } : {}),
  };
}

/** The Service's actions: create it when missing, replace it when its inputs changed, delete former ones. */
function serviceActions(
  connect: SparkConnect,
  services: readonly ServiceView[],
  actions: ConnectAction[],
  events: ConnectEvent[],
  requeues: number[],
): void {
  const name = serviceName(connect);
  const desired = desiredService(connect);
  for (const s of services) {
    // A Service of an earlier spec.server.service name.
    if (s.name !== name && s.owned && !s.deleting) actions.push({ kind: 'DeleteService', name: s.name, uid: s.uid });
  }
  const current = services.find((s) => s.name === name);
  if (!current) {
    actions.push({ kind: 'CreateService', service: desired });
  } else if (current.deleting) {
    requeues.push(1_000);
  } else if (!current.owned) {
    events.push({
      type: 'Warning',
      reason: 'SparkConnectServiceNameTaken',
      message: `Service ${name} exists and is not this SparkConnect's: the server is not reachable through it`,
    });
  } else if (current.hash !== desired.metadata?.annotations?.[SPEC_HASH_ANNOTATION]) {
    actions.push({ kind: 'DeleteService', name: current.name, uid: current.uid });
    requeues.push(500);
  }
}

/** The condition after `outcome`: its time moves when its status or its reason changes. */
function nextCondition(
  prev: Condition | undefined,
  outcome: Outcome,
  now: string,
  generation: number | undefined,
): Condition {
  const moved = !prev || prev.status !== outcome.status || prev.reason !== outcome.reason;
  return {
    type: SERVER_POD_READY,
    status: outcome.status,
    reason: outcome.reason,
    message: outcome.message,
    lastTransitionTime: moved ? now : prev.lastTransitionTime,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
}

/** kubeflow's executor counts: lower-case pod phase → number of pods. */
function countByPhase(phases: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const phase of phases) {
    const key = (phase || 'Pending').toLowerCase();
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** The server pod as decide() sees it. */
export function viewServerPod(pod: V1Pod, connectUid: string): ServerView {
  const meta = pod.metadata ?? {};
  const status = pod.status ?? {};
  const created = meta.creationTimestamp ? new Date(meta.creationTimestamp).getTime() : undefined;
  return {
    name: meta.name ?? '',
    uid: meta.uid ?? '',
    owned: (meta.ownerReferences ?? []).some((r) => r.controller === true && r.uid === connectUid),
    ...(meta.annotations?.[SPEC_HASH_ANNOTATION] ? { hash: meta.annotations[SPEC_HASH_ANNOTATION] } : {}),
    phase: status.phase ?? 'Pending',
    deleting: meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null,
    ready: (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    ...(status.podIP ? { podIP: status.podIP } : {}),
    ...(created !== undefined && !Number.isNaN(created) ? { createdAtMs: created } : {}),
    detail: podDetail(pod),
  };
}

/** Why a server pod is not ready, or how it ended, in a few words. */
function podDetail(pod: V1Pod): string {
  const status = pod.status ?? {};
  const containers = status.containerStatuses ?? [];
  const main = containers.find((c) => c.name === SERVER_CONTAINER_NAME) ?? containers[0];
  const podReason = [status.reason, status.message].filter(Boolean).join(': ');
  if (status.phase === 'Succeeded' || status.phase === 'Failed') {
    const t = main?.state?.terminated;
    const exit = t
      ? `container ${main?.name} exited with code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}`
      : undefined;
    const how = status.phase === 'Failed' ? 'failed' : 'ended';
    return [how, exit, podReason].filter(Boolean).join(': ');
  }
  const unscheduled = status.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) return `not scheduled: ${unscheduled.message ?? unscheduled.reason ?? 'no node fits'}`;
  const waiting = containers.find((c) => c.state?.waiting?.reason)?.state?.waiting;
  if (waiting?.reason && waiting.reason !== 'ContainerCreating') {
    return `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
  }
  if (status.phase === 'Running') return `waiting for Spark Connect to listen on port ${CONNECT_PORT}`;
  return podReason || (status.phase ?? 'Pending').toLowerCase();
}

/** The phases of the executor pods `serverUid` owns (decide's executorPhases), from the cached executor pods. */
export function ownedExecutorPhases(pods: readonly V1Pod[], serverUid: string): string[] {
  return pods
    .filter((p) => p.metadata?.ownerReferences?.some((o) => o.uid === serverUid))
    .map((p) => p.status?.phase ?? '');
}

/** A Service as decide() sees it. */
export function viewService(service: V1Service, connectUid: string): ServiceView {
  const meta = service.metadata ?? {};
  return {
    name: meta.name ?? '',
    uid: meta.uid ?? '',
    owned: (meta.ownerReferences ?? []).some((r) => r.controller === true && r.uid === connectUid),
    ...(meta.annotations?.[SPEC_HASH_ANNOTATION] ? { hash: meta.annotations[SPEC_HASH_ANNOTATION] } : {}),
    deleting: meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null,
  };
}
