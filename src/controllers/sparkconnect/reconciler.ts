// The SparkConnect reconciler: a thin shell around decide() (src/spark/connect/decide.ts). It reads the SparkConnect
// (cache), its server pod and Service (live: their absence must be certain), its former Services and the server's
// executors (cache); writes the decided status first, guarded by the read resourceVersion, so that a decision made
// on a stale read changes nothing; then creates or deletes objects; then records the events.
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { SPARK_CONNECT_GROUP_VERSION, SPARK_CONNECT_KIND } from '../../api/constants.ts';
import type { SparkConnect } from '../../api/index.ts';
import {
  applyPatch,
  type Client,
  type Clock,
  type EventRecorder,
  ignoreNotFound,
  isAlreadyExists,
  isConflict,
  isForbidden,
  isInvalid,
  isNotFound,
  type KubeObject,
  kind,
  type ReconcileContext,
  type Request,
  type Result,
} from '../../runtime/index.ts';
import {
  CONNECT_NAME_LABEL,
  type ConnectAction,
  type ConnectSettings,
  decide,
  executorSelector,
  ownedExecutorPhases,
  SERVER_POD_READY,
  serverPodName,
  serviceName,
  viewServerPod,
  viewService,
} from '../../spark/connect/index.ts';
import { canonicalHash } from '../../spark/lifecycle/spec-hash.ts';

export type SparkConnectObject = SparkConnect & KubeObject;
export const SparkConnects = kind<SparkConnectObject>(SPARK_CONNECT_GROUP_VERSION, SPARK_CONNECT_KIND);
export const Pods = kind<V1Pod & KubeObject>('v1', 'Pod');
export const Services = kind<V1Service & KubeObject>('v1', 'Service');

const FIELD_MANAGER = 'sparkop';
/** How soon to look again when a pod's name is not free yet (the previous pod is still being removed). */
const NAME_BUSY_RETRY_MS = 500;

export interface ReconcilerDeps {
  readonly client: Client;
  readonly clock: Clock;
  readonly recorder: EventRecorder;
  readonly settings: ConnectSettings;
}

export class SparkConnectReconciler {
  readonly #d: ReconcilerDeps;

  constructor(deps: ReconcilerDeps) {
    this.#d = deps;
  }

  async reconcile(ctx: ReconcileContext, request: Request): Promise<Result | undefined> {
    const { client } = this.#d;
    const connect = await client.get(SparkConnects, request).catch(ignoreNotFound);
    // Deleted: the garbage collector removes the pod, Service and ConfigMap it owned.
    if (!connect || connect.metadata.deletionTimestamp) return undefined;
    const uid = connect.metadata.uid ?? '';
    const namespace = request.namespace;
    const svcName = serviceName(connect);
    const [pod, service, labelled] = await Promise.all([
      client.apiReader.get(Pods, { namespace, name: serverPodName(connect) }).catch(ignoreNotFound),
      client.apiReader.get(Services, { namespace, name: svcName }).catch(ignoreNotFound),
      client.list(Services, { namespace, labelSelector: `${CONNECT_NAME_LABEL}=${request.name}` }),
    ]);
    const server = pod ? viewServerPod(pod, uid) : undefined;
    const executorPhases =
      server?.owned && !server.deleting
        ? ownedExecutorPhases(
            await client.list(Pods, { namespace, labelSelector: executorSelector(request.name) }),
            server.uid,
          )
        : [];
    const services = [
      ...(service ? [viewService(service, uid)] : []),
      ...labelled.filter((s) => s.metadata?.name !== svcName).map((s) => viewService(s, uid)),
    ];
    const plan = decide({
      connect,
      ...(server ? { server } : {}),
      services,
      executorPhases,
      nowMs: this.#d.clock.now(),
      settings: this.#d.settings,
    });

    // The status first, also when only actions are planned: an update guarded by the read resourceVersion fails
    // on a stale read (Conflict), and nothing is done on it.
    const changed = canonicalHash(connect.status ?? {}) !== canonicalHash(plan.status);
    let written: SparkConnectObject = connect;
    if (changed || plan.actions.length > 0) {
      try {
        written = await client.status().update({
          ...structuredClone(connect),
          apiVersion: SPARK_CONNECT_GROUP_VERSION,
          kind: SPARK_CONNECT_KIND,
          status: plan.status,
        });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        if (isConflict(err)) {
          ctx.log.debug('status conflict: deciding again on the newer object');
          return { requeue: true };
        }
        throw err;
      }
    }
    for (const event of plan.events) this.#d.recorder.event(written, event.type, event.reason, event.message);
    let retryMs: number | undefined;
    for (const action of plan.actions) {
      const done = await this.#perform(ctx, written, action);
      if (done === 'name-busy') retryMs = NAME_BUSY_RETRY_MS;
    }
    const requeueAfter = Math.min(retryMs ?? Number.POSITIVE_INFINITY, plan.requeueAfterMs ?? Number.POSITIVE_INFINITY);
    return Number.isFinite(requeueAfter) ? { requeueAfter } : undefined;
  }

  async #perform(
    ctx: ReconcileContext,
    connect: SparkConnectObject,
    action: ConnectAction,
  ): Promise<'name-busy' | undefined> {
    const { client } = this.#d;
    const namespace = connect.metadata.namespace ?? '';
    switch (action.kind) {
      case 'CreateService':
        ctx.log.info({ service: action.service.metadata?.name }, 'creating the server Service');
        await client.create({ ...action.service } as V1Service & KubeObject).catch((err: unknown) => {
          if (!isAlreadyExists(err)) throw err;
        });
        return undefined;
      case 'DeleteService':
        ctx.log.info({ service: action.name }, 'deleting a Service of an earlier spec');
        await client
          .delete(
            { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name: action.name } },
            { preconditions: { uid: action.uid } },
          )
          .catch(ignoreGoneOrReplaced);
        return undefined;
      case 'ApplyConfigMap': {
        const cm = action.configMap as KubeObject;
        await client.patch(cm, applyPatch(cm, FIELD_MANAGER, { force: true }));
        return undefined;
      }
      case 'CreateServerPod':
        ctx.log.info({ pod: action.pod.metadata?.name }, 'creating the server pod');
        try {
          await client.create(action.pod as V1Pod & KubeObject);
        } catch (err) {
          if (isAlreadyExists(err)) return 'name-busy';
          if (isInvalid(err) || isForbidden(err)) await this.#reportRefused(connect, (err as Error).message);
          throw err;
        }
        return undefined;
      case 'DeleteServerPod':
        ctx.log.info({ pod: action.name, gracePeriodSeconds: action.gracePeriodSeconds }, 'deleting the server pod');
        await client
          .delete(
            { apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name: action.name } },
            {
              preconditions: { uid: action.uid },
              ...(action.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: action.gracePeriodSeconds } : {}),
            },
          )
          .catch(ignoreGoneOrReplaced);
        return undefined;
    }
  }

  /** A server pod the API server refuses (a bad template, a quota, admission): said in the condition and an event. */
  async #reportRefused(connect: SparkConnectObject, reason: string): Promise<void> {
    const message = `the API server refused server pod ${serverPodName(connect)}: ${reason}`;
    const conditions = (connect.status?.conditions ?? []).map((c) =>
      c.type === SERVER_POD_READY ? { ...c, message } : c,
    );
    await this.#d.client
      .status()
      .update({ ...structuredClone(connect), status: { ...connect.status, conditions } })
      .catch((err: unknown) => {
        if (!isConflict(err) && !isNotFound(err)) throw err;
      });
    this.#d.recorder.event(connect, 'Warning', 'SparkConnectServerRefused', message);
  }
}

/** A delete with a uid precondition: gone already, or replaced by a newer object (Conflict), is fine. */
function ignoreGoneOrReplaced(err: unknown): undefined {
  if (isNotFound(err) || isConflict(err)) return undefined;
  throw err;
}
