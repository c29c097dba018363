// The reconciler: read (cache), decide (the pure lifecycle core), write. Nothing here decides a state.
//
//   read app ─▶ read driver pod, executor pods, UI Service ─▶ decide() ─▶ perform actions in order
//     ─▶ (awaiting? feed the last action's result back: decide() again) ─▶ write status (optimistic) ─▶ events, metrics
//
// A status change that enables a next step is followed at once by another round on the object as written (not on
// the cache, which may lag behind our own write). A failed action throws: nothing is written and the key is retried
// with backoff. A Conflict on the status write requeues: the next reconcile reads the newer object and decides
// again, never overwriting it.
import type { V1Ingress, V1Pod, V1Service } from '@kubernetes/client-node';
import type { SparkApplication } from '../../api/index.ts';
import { SPARK_ROLE_LABEL } from '../../api/vocabulary.ts';
import {
  applyPatch,
  BackgroundTasks,
  type Client,
  type Clock,
  type EventRecorder,
  ignoreAlreadyExists,
  ignoreNotFound,
  isConflict,
  isNoKindMatch,
  isNotFound,
  type Kind,
  type KubeObject,
  mergePatch,
  type ReconcileContext,
  type Reconciler,
  type Request,
  type Result,
} from '../../runtime/index.ts';
import {
  type Action,
  type DecideInput,
  type Decision,
  decide,
  type Feedback,
  type ObservedDriverIngressService,
  observationTargets,
  observedDriverIngressService,
  observedService,
  resolveSettings,
  SUBMISSION_ID_LABEL,
  summarizePod,
} from '../../spark/lifecycle/index.ts';
import { type BatchPlan, planBatchScheduling, withoutBatchScheduler } from '../../spark/objects/batch-scheduler.ts';
import { driverIngress, driverIngressService } from '../../spark/objects/driver-ingress.ts';
import { prepareSubmission } from '../../spark/objects/prepare.ts';
import { uiIngress, uiService } from '../../spark/objects/ui.ts';
import type { Submitter } from '../../spark/submit/contract.ts';
import { removeKubeflowFinalizer, waitsForKubeflowFinalizer } from '../kubeflow-finalizer.ts';
import {
  APP_NAME_LABEL,
  Ingresses,
  LAUNCHED_BY_LABEL,
  Pods,
  Services,
  type SparkApplicationObject,
  SparkApplications,
} from './kinds.ts';
import { type ApplicationMetrics, metricChanges } from './metrics.ts';
import { PODS_BY_APPLICATION } from './scope.ts';
import { lifecycleSettings, type SparkApplicationControllerSettings } from './settings.ts';
import { submitAttempt } from './submission.ts';

/** Bounds the decide-again loop of one reconcile; a longer chain continues in the next reconcile. */
const MAX_ROUNDS_PER_RECONCILE = 5;
/** The field manager of the objects the controller applies (server-side apply). */
const FIELD_MANAGER = 'sparkop';
/** How long to wait for the cache to show our own last write before looking again. */
const CACHE_CATCH_UP_MS = 50;

export interface ReconcilerDeps {
  readonly client: Client;
  readonly clock: Clock;
  readonly recorder: EventRecorder;
  readonly submitter: Submitter;
  readonly metrics: ApplicationMetrics;
  readonly settings: SparkApplicationControllerSettings;
  /** Reconciles an application again; called when a failed UI Service create of it may be retried (backoff over). */
  readonly requeue?: (request: Request) => void;
  /**
   * No UI Service is created before this settles; the controller passes "caught up with the initial lists". After a
   * restart, the predecessor's unfinished UI Services (each costing kube-apiserver a cluster-IP allocation) would
   * otherwise compete with the first look at every application: 1 356–2 407 of them at a restart in `npm run bench --
   * scale --apps 10000 --executors 5 --namespaces 10`, 22.8 ms of kube-apiserver CPU each with 16 000–20 000
   * Services present (`npm run bench -- service-ip --services 20000 --slices 5`).
   */
  readonly holdBackgroundUntil?: PromiseLike<unknown>;
}

/** An action the cluster refused; `cause` holds the API error. */
export class ActionError extends Error {
  override readonly name = 'ActionError';
}

export class SparkApplicationReconciler implements Reconciler {
  readonly #d: ReconcilerDeps;
  /**
   * Per application (namespace/name), the resourceVersions our own last writes replaced. A cached read still at one
   * of them is stale: deciding on it would repeat the submission (the pod answers AlreadyExists, the status write
   * Conflict) — at 20 applications/s that doubled the operator's requests and CPU per application, because a pod's
   * event re-queues the key before the app's own status event reaches the cache (bench/submit-load.bench.ts).
   */
  readonly #replaced = new Map<string, ReadonlySet<string>>();
  /**
   * UI Services being created, by application (namespace/name). A ClusterIP Service waits for kube-apiserver to
   * allocate its IP, which took seconds per Service with 20 000 in the cluster (bench/service-ip.bench.ts): awaited
   * in the reconcile, that held every worker while new applications waited. In the background, the reconcile goes
   * on; the Service's watch event brings the application back to record the address, and a failure requeues it.
   */
  readonly #uiServices: BackgroundTasks;

  constructor(deps: ReconcilerDeps) {
    this.#d = deps;
    this.#uiServices = new BackgroundTasks({
      concurrency: Math.max(1, deps.settings.controllerThreads),
      clock: deps.clock,
      ...(deps.holdBackgroundUntil ? { holdUntil: deps.holdBackgroundUntil } : {}),
      onRetryDue: (key) => {
        const slash = key.indexOf('/');
        deps.requeue?.({ namespace: key.slice(0, slash), name: key.slice(slash + 1) });
      },
    });
  }

  /** UI Service creations queued or running in the background. */
  get pendingUIServices(): number {
    return this.#uiServices.size;
  }

  async reconcile(ctx: ReconcileContext, request: Request): Promise<Result> {
    const app = await this.#d.client.get(SparkApplications, request).catch(ignoreNotFound);
    const key = `${request.namespace}/${request.name}`;
    if (app && this.#replaced.get(key)?.has(app.metadata?.resourceVersion ?? '')) {
      return { requeueAfter: CACHE_CATCH_UP_MS };
    }
    this.#replaced.delete(key);
    // Gone: what it owned (pods, Services, Ingress, PodGroup) is deleted by the garbage collector.
    if (!app || app.metadata?.deletionTimestamp) {
      void this.#uiServices.cancel(key);
      if (app && waitsForKubeflowFinalizer(app)) await removeKubeflowFinalizer(this.#d.client, app);
      return {};
    }
    // A status change may enable the next step at once (e.g. SUBMISSION_FAILED with no retries left → FAILED). Our
    // own status writes raise no event (the watch filters on generation), and the cache may not hold them yet: decide
    // again at once on the object the write returned, instead of requeueing onto a possibly stale cache (which would
    // conflict and back off).
    let current: SparkApplicationObject = app;
    const replaced = new Set<string>();
    try {
      for (let round = 1; ; round++) {
        const step = await this.#round(current, ctx, replaced);
        if (step.kind === 'result') return step.result;
        if (round >= MAX_ROUNDS_PER_RECONCILE) return { requeueAfter: 1 };
        current = step.app;
      }
    } finally {
      if (replaced.size > 0) this.#replaced.set(key, replaced);
    }
  }

  /** One read-decide-write round; `advanced` carries the app as written when its status changed. */
  async #round(
    app: SparkApplicationObject,
    ctx: ReconcileContext,
    replaced: Set<string>,
  ): Promise<{ kind: 'result'; result: Result } | { kind: 'advanced'; app: SparkApplicationObject }> {
    const input = await this.#observe(app, this.#d.clock.now());
    const first = decide(input);
    const state = { app, done: [] as string[] };
    let feedback: Feedback | undefined;
    for (const action of first.actions) feedback = await this.#perform(action, state, input.now, ctx);
    let decision: Decision = first;
    if (first.awaiting) {
      if (!feedback) throw new Error(`lifecycle awaits ${first.awaiting} but no action produced it`);
      decision = decide({ ...input, feedback });
      for (const action of decision.actions) await this.#perform(action, state, input.now, ctx);
    }
    ctx.log.debug(
      {
        from: app.status?.applicationState?.state ?? '',
        to: decision.status.applicationState?.state ?? '',
        rv: app.metadata?.resourceVersion,
        driver: input.driverPod
          ? `${input.driverPod.phase ?? ''}/${input.driverPod.labels?.[SUBMISSION_ID_LABEL] ?? ''}`
          : 'none',
        actions: [...first.actions, ...(first.awaiting ? decision.actions : [])].map((a) => a.kind),
        requeueAfterMs: decision.requeueAfterMs,
      },
      'decided',
    );
    let written: SparkApplicationObject | undefined;
    if (state.app !== app) replaced.add(app.metadata?.resourceVersion ?? ''); // the spec-hash patch wrote
    if (decision.statusChanged) {
      const outcome = await this.#writeStatus(state.app, decision, ctx);
      if (outcome === 'conflict') return { kind: 'result', result: { requeue: true } };
      if (outcome === 'gone') return { kind: 'result', result: {} };
      written = outcome;
      replaced.add(app.metadata?.resourceVersion ?? '').add(state.app.metadata?.resourceVersion ?? '');
      this.#d.metrics.apply(app, metricChanges(app, app.status, decision.status, input.now));
    }
    for (const e of decision.events) this.#d.recorder.event(app, e.type, e.reason, e.message);
    if (decision.requeueAfterMs !== undefined) {
      return { kind: 'result', result: { requeueAfter: Math.max(1, decision.requeueAfterMs) } };
    }
    return written ? { kind: 'advanced', app: written } : { kind: 'result', result: {} };
  }

  async #observe(app: SparkApplicationObject, now: number): Promise<DecideInput> {
    const { client, settings } = this.#d;
    const namespace = app.metadata?.namespace ?? '';
    const targets = observationTargets(app);
    const driver = await client.get(Pods, { namespace, name: targets.driverPodName }).catch(ignoreNotFound);
    const pods = await client.list(Pods, {
      namespace,
      index: { name: PODS_BY_APPLICATION, value: `${namespace}/${app.metadata?.name ?? ''}` },
    });
    const executorPods = pods
      .filter((p: V1Pod) => p.metadata?.labels?.[SPARK_ROLE_LABEL] === 'executor')
      .map((p: V1Pod) => summarizePod(p));
    const svc = await client.get(Services, { namespace, name: targets.uiServiceName }).catch(ignoreNotFound);
    const driverIngressServices: ObservedDriverIngressService[] = [];
    for (const name of targets.driverIngressServiceNames) {
      const found = await client.get(Services, { namespace, name }).catch(ignoreNotFound);
      if (found) driverIngressServices.push(observedDriverIngressService(found));
    }
    return {
      app,
      ...(driver ? { driverPod: summarizePod(driver) } : {}),
      executorPods,
      ...(svc ? { uiService: observedService(svc) } : {}),
      driverIngressServices,
      now,
      settings: resolveSettings(lifecycleSettings(settings, app.status?.sparkApplicationId)),
    };
  }

  /** Performs one action; returns the feedback it produces (SubmitDriver, ConfirmDriverMissing). */
  async #perform(
    action: Action,
    state: { app: SparkApplicationObject; done: string[] },
    now: number,
    ctx: ReconcileContext,
  ): Promise<Feedback | undefined> {
    const id = JSON.stringify(action);
    // The second decision repeats actions of the first (all idempotent); doing them once is enough.
    if (state.done.includes(id) && action.kind !== 'SubmitDriver' && action.kind !== 'ConfirmDriverMissing') {
      return undefined;
    }
    state.done.push(id);
    const { client, settings } = this.#d;
    const app = state.app;
    const namespace = app.metadata?.namespace ?? '';
    ctx.log.debug({ action: action.kind }, 'performing action');
    switch (action.kind) {
      case 'RecordSpecHash':
        state.app = await this.#recordSpecHash(app, action);
        return undefined;
      case 'SubmitDriver':
        return this.#submit(app, action, now, ctx);
      case 'ConfirmDriverMissing': {
        const pod = await client.apiReader.get(Pods, { namespace, name: action.podName }).catch(ignoreNotFound);
        return { kind: 'DriverLiveCheck', submissionID: action.submissionID, pod: pod ? summarizePod(pod) : null };
      }
      case 'DeleteDriverResources':
        await this.#deleteDriverResources(app, action);
        return undefined;
      case 'EnsureUIService':
        this.#ensureUIService(app, action, ctx);
        return undefined;
      case 'EnsureUIIngress':
        await client.create(uiIngress(app, action, settings.ui) as KubeObject).catch(ignoreAlreadyExists);
        return undefined;
      case 'EnsureDriverIngress': {
        // The Service last: the lifecycle takes the entry as done once the cache shows it.
        if (action.ingressName) {
          const ingress = driverIngress(app, action, settings.ui) as V1Ingress & KubeObject;
          await this.#createForRun(app, Ingresses, ingress, action.submissionID);
        }
        const service = driverIngressService(app, action) as V1Service & KubeObject;
        await this.#createForRun(app, Services, service, action.submissionID);
        return undefined;
      }
      case 'DeleteApplication':
        await client
          .delete(app, {
            propagationPolicy: 'Background',
            ...(app.metadata?.uid ? { preconditions: { uid: app.metadata.uid } } : {}),
          })
          .catch(ignoreNotFound);
        return undefined;
    }
  }

  /**
   * Records the spec hash annotation. The patch returns the new resourceVersion: the status write that follows is
   * guarded by it. The patch is itself guarded by the read resourceVersion: from a stale read (a cache behind after a
   * watch outage) it would otherwise succeed, and the status write decided from the stale state would then overwrite
   * newer status (found by test/reliability/control-plane-restart.test.ts: submissions counted twice).
   */
  #recordSpecHash(
    app: SparkApplicationObject,
    action: Extract<Action, { kind: 'RecordSpecHash' }>,
  ): Promise<SparkApplicationObject> {
    return this.#d.client.patch(
      SparkApplications,
      { namespace: app.metadata?.namespace ?? '', name: app.metadata?.name ?? '' },
      mergePatch({
        metadata: {
          annotations: { [action.annotation]: action.hash },
          ...(app.metadata?.resourceVersion ? { resourceVersion: app.metadata.resourceVersion } : {}),
        },
      }),
    );
  }

  /** Deletes a run's driver pod (only that pod: a newer one of the same name is not ours), UI Service and Ingress. */
  async #deleteDriverResources(
    app: SparkApplicationObject,
    action: Extract<Action, { kind: 'DeleteDriverResources' }>,
  ): Promise<void> {
    const { client } = this.#d;
    const namespace = app.metadata?.namespace ?? '';
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name: action.podName } };
    await client
      .delete(pod, action.podUID ? { preconditions: { uid: action.podUID } } : {})
      .catch((err: unknown) => (isConflict(err) ? undefined : ignoreNotFound(err)));
    if (action.uiServiceName) {
      await this.#uiServices.cancel(appKey(app)); // a create still queued or in flight must not undo the delete
      await client
        .delete({ apiVersion: 'v1', kind: 'Service', metadata: { namespace, name: action.uiServiceName } })
        .catch(ignoreNotFound);
    }
    if (action.uiIngressName) {
      await client
        .delete({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: { namespace, name: action.uiIngressName },
        })
        .catch(ignoreNotFound);
    }
  }

  /**
   * Starts the UI Service's creation in the background (see #uiServices), unless one is pending or backing off. A
   * failure is told once, as an Event, and the lifecycle goes on without the UI: the create is tried again with
   * backoff, its retry requeueing the application.
   */
  #ensureUIService(
    app: SparkApplicationObject,
    action: Extract<Action, { kind: 'EnsureUIService' }>,
    ctx: ReconcileContext,
  ): void {
    const key = appKey(app);
    const failure = this.#uiServices.takeFailure(key);
    if (failure !== undefined) {
      ctx.log.warn({ err: failure, service: action.name }, 'UI Service not created; retrying with backoff');
      this.#d.recorder.event(
        app,
        'Warning',
        'SparkApplicationUIServiceFailed',
        `creating UI Service ${action.name}: ${failure instanceof Error ? failure.message : String(failure)}`,
      );
    }
    // Built when the create runs: while one is pending or backing off, the reconciles asking again build nothing.
    this.#uiServices.start(key, async () => {
      await this.#d.client.create(uiService(app, action) as KubeObject).catch(ignoreAlreadyExists);
    });
  }

  /**
   * Creates `obj`, an object of the run `submissionID`. One of the same name from another run (its owner pod gone,
   * the garbage collector not done yet) would be deleted by the collector after we took it as ours: replace it.
   */
  async #createForRun<T extends KubeObject>(
    app: SparkApplicationObject,
    kind: Kind<T>,
    obj: T,
    submissionID: string,
  ): Promise<void> {
    const { client } = this.#d;
    const key = { namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' };
    const created = await client.create(obj).catch(ignoreAlreadyExists);
    if (created) return;
    const existing = await client.apiReader.get(kind, key).catch(ignoreNotFound);
    const labels = existing?.metadata?.labels ?? {};
    if (labels[SUBMISSION_ID_LABEL] === submissionID) return;
    if (existing) {
      if (labels[LAUNCHED_BY_LABEL] !== 'true' || labels[APP_NAME_LABEL] !== obj.metadata?.labels?.[APP_NAME_LABEL]) {
        // Someone else's object: never deleted; told, and the rest of the reconcile goes on.
        this.#d.recorder.event(
          app,
          'Warning',
          'SparkApplicationDriverIngressNameTaken',
          `${obj.kind} ${key.name} exists and is not this application's; left as is`,
        );
        return;
      }
      const uid = existing.metadata?.uid;
      await client
        .delete(existing, uid ? { preconditions: { uid } } : {})
        .catch((err: unknown) => (isConflict(err) ? undefined : ignoreNotFound(err)));
    }
    try {
      await client.create(obj);
    } catch (err) {
      // Still there (a finalizer holds it): the action fails and is retried with backoff.
      throw new ActionError(`creating ${obj.kind} ${key.name} in place of an earlier run's`, { cause: err });
    }
  }

  async #submit(
    app: SparkApplication,
    action: Extract<Action, { kind: 'SubmitDriver' }>,
    now: number,
    ctx: ReconcileContext,
  ): Promise<Feedback> {
    const { client, settings } = this.#d;
    const failed = (message: string): Feedback => ({
      kind: 'SubmissionResult',
      submissionID: action.submissionID,
      result: 'Failed',
      message,
    });
    const batch = planBatchScheduling(app, settings.batchScheduler);
    if (batch.kind === 'error') return failed(batch.message);
    // As kubeflow's operator with batch scheduling off: the request is dropped, not failed; an event says so.
    if (batch.kind === 'ignored')
      this.#d.recorder.event(app, 'Warning', 'SparkApplicationBatchSchedulerIgnored', batch.message);
    const plan: BatchPlan | undefined = batch.kind === 'plan' ? batch.plan : undefined;
    if (plan?.requires) {
      const gvk = plan.requires;
      try {
        await client.mapper.mapping(gvk);
      } catch (err) {
        if (!isNoKindMatch(err)) throw err;
        return failed(
          `batch scheduler ${plan.scheduler} needs the ${gvk.kind} CRD (${gvk.group}/${gvk.version}), which is not installed`,
        );
      }
    }
    const format = settings.ui.ingressUrlFormat;
    const ingressUrl = format
      ? format
          .replaceAll('{{$appName}}', app.metadata.name ?? '')
          .replaceAll('{{$appNamespace}}', app.metadata.namespace ?? '')
      : undefined;
    const prepared = prepareSubmission(batch.kind === 'ignored' ? withoutBatchScheduler(app) : app, plan, ingressUrl);
    for (const obj of prepared.objects) {
      try {
        // Applied, not only created: after a spec change the rerun's PodGroup and Prometheus ConfigMap (owned by
        // the application, so they outlive a run) must follow the new spec.
        await client.patch(obj, applyPatch(obj, FIELD_MANAGER, { force: true }));
      } catch (err) {
        if (isNotFound(err) || isNoKindMatch(err))
          return failed(`creating ${obj.kind} ${obj.metadata?.name}: ${(err as Error).message}`);
        throw new ActionError(`creating ${obj.kind} ${obj.metadata?.name}`, { cause: err });
      }
    }
    const outcome = await submitAttempt(this.#d.submitter, client, prepared.app, action, settings.submission, now);
    ctx.log.info(
      {
        submissionID: action.submissionID,
        attempt: action.attempt,
        result: outcome.feedback.kind === 'SubmissionResult' ? outcome.feedback.result : undefined,
      },
      'submitted driver',
    );
    return outcome.feedback;
  }

  /** Writes the decided status guarded by resourceVersion. The app as written; 'conflict' when a newer version exists (decide again from it); 'gone' when deleted. */
  async #writeStatus(
    app: SparkApplicationObject,
    decision: Decision,
    ctx: ReconcileContext,
  ): Promise<SparkApplicationObject | 'conflict' | 'gone'> {
    const next = { ...app, status: decision.status } as SparkApplicationObject;
    try {
      return await this.#d.client.status().update(next);
    } catch (err) {
      if (isConflict(err)) {
        ctx.log.debug('status write conflicted with a newer version; deciding again');
        return 'conflict';
      }
      if (isNotFound(err)) return 'gone'; // deleted meanwhile: nothing left to record
      throw err;
    }
  }
}

function appKey(app: SparkApplicationObject): string {
  return `${app.metadata?.namespace ?? ''}/${app.metadata?.name ?? ''}`;
}
