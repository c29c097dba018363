// The SparkApplication controller against the real control plane: every lifecycle transition, with kwok running
// the driver pods (ended by annotation).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import { nativeSubmitter } from '../../src/controllers/sparkapplication/index.ts';
import {
  ConfigMaps,
  Pods,
  Services,
  type SparkApplicationObject,
  SparkApplications,
} from '../../src/controllers/sparkapplication/kinds.ts';
import { type KubeObject, mergePatch } from '../../src/runtime/index.ts';
import { nextSubmissionID, specFingerprint, specHash } from '../../src/spark/lifecycle/index.ts';
import { submissionSettings } from '../../src/spark/settings.ts';
import { eventually } from '../support/kube.ts';
import {
  createApp,
  driverPods,
  eventReasons,
  type Fixture,
  finishPod,
  fixture,
  getApp,
  minimalApp,
  runDriverTo,
  startOperator,
  stateOf,
  waitState,
  zeroQuota,
} from './sparkapplication-harness.ts';

test('submit → running → completed, with UI Service, events and metrics', async (t) => {
  const f = await fixture(t);
  const op = await startOperator(t, f);
  await createApp(f, minimalApp('pi'));
  const running = await waitState(f, 'pi', 'RUNNING');
  assert.equal(running.status?.submissionAttempts, 1);
  assert.ok(running.status?.submissionID);
  const svc = await eventually('UI service', () => f.api.get(Services, { namespace: f.namespace, name: 'pi-ui-svc' }));
  assert.equal(svc.spec?.ports?.[0]?.port, 4040);
  assert.equal(svc.metadata?.ownerReferences?.[0]?.kind, 'SparkApplication');
  // The gauge counts the operator's cache, which may show RUNNING a moment after the live read did.
  const runningGauge = new RegExp(`spark_application_running_count\\{namespace="${f.namespace}"\\} 1`);
  await eventually(
    'running gauge at 1',
    async () => runningGauge.test(await op.manager.registry.metrics()) || undefined,
  );
  await runDriverTo(f, 'pi', 0);
  const done = await waitState(f, 'pi', 'COMPLETED');
  assert.ok(done.status?.terminationTime);
  const reasons = await eventually('events', async () => {
    const r = await eventReasons(f, 'pi');
    return r.includes('SparkApplicationCompleted') ? r : undefined;
  });
  for (const reason of ['SparkApplicationSubmitted', 'SparkDriverRunning', 'SparkDriverCompleted']) {
    assert.ok(reasons.includes(reason), `${reason} in ${reasons.join(',')}`);
  }
  const text = await op.manager.registry.metrics();
  assert.match(text, new RegExp(`spark_application_submit_count\\{namespace="${f.namespace}"\\} 1`));
  assert.match(text, new RegExp(`spark_application_success_count\\{namespace="${f.namespace}"\\} 1`));
  assert.match(text, new RegExp(`spark_application_running_count\\{namespace="${f.namespace}"\\} 0`));
  assert.equal((await driverPods(f, 'pi')).length, 1);
});

test('a UI Service the API server refuses does not hold the application back; created once allowed', async (t) => {
  const f = await fixture(t);
  // A quota of zero NodePort Services: the UI Service (NodePort) is Forbidden; the driver's headless Service is not.
  await zeroQuota(f, 'no-nodeports', 'services.nodeports');
  const op = await startOperator(t, f);
  await createApp(f, minimalApp('noui', { sparkUIOptions: { serviceType: 'NodePort' } }));
  const running = await waitState(f, 'noui', 'RUNNING');
  assert.equal(running.status?.driverInfo?.webUIAddress, undefined, 'no address without a Service');
  const reasons = await eventually('UI Service failure event', async () => {
    const r = await eventReasons(f, 'noui');
    return r.includes('SparkApplicationUIServiceFailed') ? r : undefined;
  });
  assert.ok(reasons.includes('SparkDriverRunning'), reasons.join(','));
  const events = await f.core.listNamespacedEvent({ namespace: f.namespace });
  const failure = events.items.find((e) => e.reason === 'SparkApplicationUIServiceFailed');
  assert.match(failure?.message ?? '', /noui-ui-svc.*(forbidden|exceeded quota)/i);

  // Allowed again: the retry (with backoff, at most a few seconds by now) creates it, and the status records it.
  await f.core.deleteNamespacedResourceQuota({ name: 'no-nodeports', namespace: f.namespace });
  const svc = await eventually(
    'UI Service created after the quota went',
    () => f.api.get(Services, { namespace: f.namespace, name: 'noui-ui-svc' }).catch(() => undefined),
    { timeoutMs: 60_000 },
  );
  assert.equal(svc.spec?.type, 'NodePort');
  const recorded = await eventually('UI address recorded', async () => {
    const app = await getApp(f, 'noui');
    return app.status?.driverInfo?.webUIAddress ? app : undefined;
  });
  assert.equal(recorded.status?.driverInfo?.webUIAddress, `${svc.spec?.clusterIP}:4040`);
  assert.equal(stateOf(recorded), 'RUNNING');
  assert.match(await op.manager.registry.metrics(), /^sparkop_ui_service_creations_pending 0$/m);
});

test('driver failure under OnFailure: retried after the interval, FAILED after the retries', async (t) => {
  const f = await fixture(t);
  await startOperator(t, f);
  await createApp(
    f,
    minimalApp('flaky', { restartPolicy: { type: 'OnFailure', onFailureRetries: 1, onFailureRetryInterval: 1 } }),
  );
  await runDriverTo(f, 'flaky', 1);
  let seen = '';
  const first = await eventually('second run', async () => {
    const app = await getApp(f, 'flaky');
    seen = `${stateOf(app)} after ${app.status?.executionAttempts} runs, ${app.status?.submissionAttempts} submissions`;
    return stateOf(app) === 'RUNNING' && app.status?.executionAttempts === 2 ? app.status : undefined;
  }).catch((err: unknown) => {
    throw new Error(`no second run; last seen ${seen}`, { cause: err });
  });
  // Second run: a new submission (new id), the same deterministic pod name.
  assert.equal(first?.executionAttempts, 2);
  await eventually('second driver running', async () => {
    const pods = await driverPods(f, 'flaky');
    return pods.length === 1 &&
      pods[0]?.metadata?.labels?.['sparkoperator.k8s.io/submission-id'] === first?.submissionID
      ? pods[0]
      : undefined;
  });
  await finishPod(f, 'flaky-driver', 1);
  const failed = await waitState(f, 'flaky', 'FAILED');
  assert.match(failed.status?.applicationState?.errorMessage ?? '', /./);
  const reasons = await eventReasons(f, 'flaky');
  assert.ok(reasons.includes('SparkApplicationPendingRerun'), reasons.join(','));
  assert.ok(reasons.includes('SparkDriverFailed'), reasons.join(','));
});

test('submission failure: the API server refuses the pod, retried, then FAILED; a retry succeeds once allowed', async (t) => {
  const f = await fixture(t);
  // A quota of zero pods: pod creation is Forbidden, a real refusal at creation time.
  await zeroQuota(f, 'no-pods', 'pods');
  await startOperator(t, f);
  const policy = { type: 'OnFailure', onSubmissionFailureRetries: 1, onSubmissionFailureRetryInterval: 1 } as const;
  await createApp(f, minimalApp('refused', { restartPolicy: policy }));
  const failed = await waitState(f, 'refused', 'FAILED');
  assert.equal(failed.status?.submissionAttempts, 2);
  assert.match(failed.status?.applicationState?.errorMessage ?? '', /forbidden|exceeded quota/i);
  const reasons = await eventReasons(f, 'refused');
  assert.ok(reasons.includes('SparkApplicationSubmissionFailed'), reasons.join(','));

  // Allowed again: a new application with retries left goes through after its first failure.
  await createApp(f, minimalApp('later', { restartPolicy: { ...policy, onSubmissionFailureRetryInterval: 3 } }));
  await waitState(f, 'later', 'SUBMISSION_FAILED');
  await f.core.deleteNamespacedResourceQuota({ name: 'no-pods', namespace: f.namespace });
  await waitState(f, 'later', 'RUNNING', 30_000);
});

test('a submission refused after its driver pod was created leaves no driver behind', async (t) => {
  const f = await fixture(t);
  // The pod is allowed, its ConfigMap is not: spark-submit deletes the driver pod then, and so must we.
  await zeroQuota(f, 'no-configmaps', 'configmaps');
  await startOperator(t, f);
  await createApp(f, minimalApp('half'));
  const failed = await waitState(f, 'half', 'FAILED');
  assert.match(failed.status?.applicationState?.errorMessage ?? '', /configmap/i);
  await eventually('driver pod deleted', async () => ((await driverPods(f, 'half')).length === 0 ? true : undefined));
});

test('suspend tears the run down; resume submits again', async (t) => {
  const f = await fixture(t);
  await startOperator(t, f);
  await createApp(f, minimalApp('nap'));
  await waitState(f, 'nap', 'RUNNING');
  await f.api.patch(
    SparkApplications,
    { namespace: f.namespace, name: 'nap' },
    mergePatch({ spec: { suspend: true } }),
  );
  await waitState(f, 'nap', 'SUSPENDED');
  assert.equal((await driverPods(f, 'nap')).length, 0);
  await f.api.patch(
    SparkApplications,
    { namespace: f.namespace, name: 'nap' },
    mergePatch({ spec: { suspend: false } }),
  );
  const suspendedRun = (await getApp(f, 'nap')).status?.submissionID;
  const resumed = await waitState(f, 'nap', 'RUNNING');
  assert.notEqual(resumed.status?.submissionID, suspendedRun, 'the resumed run is a new submission');
  assert.equal((await driverPods(f, 'nap')).length, 1);
  const reasons = await eventReasons(f, 'nap');
  for (const r of ['SparkApplicationSuspending', 'SparkApplicationSuspended', 'SparkApplicationResuming']) {
    assert.ok(reasons.includes(r), `${r} in ${reasons.join(',')}`);
  }
});

test('a spec change invalidates the run and reruns with the new spec', async (t) => {
  const f = await fixture(t);
  await startOperator(t, f);
  await createApp(f, minimalApp('edit'));
  const before = await waitState(f, 'edit', 'RUNNING');
  const oldPod = (await driverPods(f, 'edit'))[0];
  // The old run's Service and ConfigMaps outlive its pod (a finalizer holds them, as a slow garbage collector
  // would): the rerun, whose counters start again at 1, must not need their names.
  const lingering = await ownedBy(f, oldPod?.metadata?.uid ?? '');
  assert.ok(lingering.length >= 2, `the old driver owns a Service and a ConfigMap: ${lingering.map((o) => o.kind)}`);
  const hold = mergePatch({ metadata: { finalizers: ['sparkop.dev/test-hold'] } });
  const release = mergePatch({ metadata: { finalizers: null } });
  for (const o of lingering) await f.api.patch(o.type, { namespace: f.namespace, name: o.name }, hold);
  t.after(async () => {
    for (const o of lingering)
      await f.api.patch(o.type, { namespace: f.namespace, name: o.name }, release).catch(() => {});
  });
  await f.api.patch(
    SparkApplications,
    { namespace: f.namespace, name: 'edit' },
    mergePatch({ spec: { arguments: ['1000'] } }),
  );
  const after = await eventually('rerun', async () => {
    const app = await getApp(f, 'edit');
    return app.status?.applicationState?.state === 'RUNNING' && app.status.submissionID !== before.status?.submissionID
      ? app
      : undefined;
  });
  const pods = await driverPods(f, 'edit');
  assert.equal(pods.length, 1);
  assert.notEqual(pods[0]?.metadata?.uid, oldPod?.metadata?.uid);
  assert.deepEqual(pods[0]?.spec?.containers.find((c) => c.name === 'spark-kubernetes-driver')?.args?.slice(-1), [
    '1000',
  ]);
  const fresh = await ownedBy(f, pods[0]?.metadata?.uid ?? '');
  assert.equal(fresh.length, lingering.length, 'the new driver got its own Service and ConfigMaps');
  for (const o of fresh) assert.ok(!lingering.some((l) => l.name === o.name), `${o.kind} ${o.name} is new`);
  assert.equal(after.metadata?.annotations?.['sparkop.dev/spec-hash'], undefined, 'the id records the spec');
  assert.equal(after.status?.submissionID?.slice(-12), specFingerprint(specHash(after)));
  assert.ok((await eventReasons(f, 'edit')).includes('SparkApplicationSpecUpdateProcessed'));
});

test('a spec change reaches what the application owns across runs: the Prometheus ConfigMap follows the new spec', async (t) => {
  const f = await fixture(t);
  await startOperator(t, f);
  const monitoring = (configuration: string) => ({
    exposeDriverMetrics: true,
    exposeExecutorMetrics: false,
    prometheus: { jmxExporterJar: '/prometheus/jmx_prometheus_javaagent.jar', port: 8090, configuration },
  });
  await createApp(f, minimalApp('watched', { monitoring: monitoring('lowercaseOutputName: true\n') }));
  const before = await waitState(f, 'watched', 'RUNNING');
  const promConf = () => f.api.get(ConfigMaps, { namespace: f.namespace, name: 'watched-prom-conf' });
  assert.equal((await promConf()).data?.['prometheus.yaml'], 'lowercaseOutputName: true\n');
  await f.api.patch(
    SparkApplications,
    { namespace: f.namespace, name: 'watched' },
    mergePatch({ spec: { monitoring: monitoring('lowercaseOutputName: false\n') } }),
  );
  await eventually('rerun', async () => {
    const app = await getApp(f, 'watched');
    return stateOf(app) === 'RUNNING' && app.status?.submissionID !== before.status?.submissionID ? app : undefined;
  });
  assert.equal((await promConf()).data?.['prometheus.yaml'], 'lowercaseOutputName: false\n');
});

/** The Services and ConfigMaps owned by the pod with `uid` (a driver's headless Service and conf ConfigMaps). */
async function ownedBy(f: Fixture, uid: string) {
  const owned = (o: KubeObject) => o.metadata?.ownerReferences?.some((r) => r.uid === uid) ?? false;
  const services = (await f.api.list(Services, { namespace: f.namespace })).filter(owned);
  const maps = (await f.api.list(ConfigMaps, { namespace: f.namespace })).filter(owned);
  return [
    ...services.map((o) => ({ type: Services, kind: 'Service', name: o.metadata?.name ?? '' })),
    ...maps.map((o) => ({ type: ConfigMaps, kind: 'ConfigMap', name: o.metadata?.name ?? '' })),
  ];
}

test('time to live: a finished application is deleted that long after it ended', async (t) => {
  const f = await fixture(t);
  await startOperator(t, f);
  await createApp(f, minimalApp('brief', { timeToLiveSeconds: 2 }));
  await runDriverTo(f, 'brief', 0);
  const done = await waitState(f, 'brief', 'COMPLETED');
  const ended = Date.parse(done.status?.terminationTime ?? '');
  await eventually(
    'application deleted',
    async () =>
      await f.api.get(SparkApplications, { namespace: f.namespace, name: 'brief' }).then(
        () => false,
        () => true,
      ),
    { timeoutMs: 20_000 },
  );
  assert.ok(Date.now() - ended >= 2000, 'not deleted before its time to live');
});

test('deleting an application deletes its driver and UI Service (owner references, garbage collector)', async (t) => {
  const f = await fixture(t);
  await startOperator(t, f);
  await createApp(f, minimalApp('doomed'));
  await waitState(f, 'doomed', 'RUNNING');
  await eventually('UI service', () => f.api.get(Services, { namespace: f.namespace, name: 'doomed-ui-svc' }));
  await f.api.delete({ ...(await getApp(f, 'doomed')) }, { propagationPolicy: 'Background' });
  await eventually(
    'owned objects gone',
    async () => {
      const pods = await driverPods(f, 'doomed');
      const svc = await f.api.get(Services, { namespace: f.namespace, name: 'doomed-ui-svc' }).then(
        () => true,
        () => false,
      );
      return pods.length === 0 && !svc;
    },
    { timeoutMs: 30_000 },
  );
});

test('a driver pod that vanishes fails the application after the grace period and a live check', async (t) => {
  const f = await fixture(t);
  await startOperator(t, f, { driverPodCreationGracePeriodMs: 1000 });
  await createApp(f, minimalApp('vanish'));
  await waitState(f, 'vanish', 'RUNNING');
  await f.api.delete(
    { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: f.namespace, name: 'vanish-driver' } },
    {
      gracePeriodSeconds: 0,
    },
  );
  const failed = await waitState(f, 'vanish', 'FAILED');
  assert.match(failed.status?.applicationState?.errorMessage ?? '', /not found/);
  assert.ok((await eventReasons(f, 'vanish')).includes('SparkDriverNotFound'));
});

test('an operator restart finds the driver an earlier incarnation created: no second driver (kubeflow #2788)', async (t) => {
  const f = await fixture(t);
  const app = await createApp(f, minimalApp('adopt'));
  // The earlier incarnation crashed after creating the driver of attempt 1 and before writing the status.
  const submissionId = nextSubmissionID(app, 1);
  const first = await nativeSubmitter(f.api).submit(
    app,
    submissionSettings({ submissionId, attempt: 1, submitTimeMs: Date.now() }),
  );
  const before = await f.api.get(Pods, { namespace: f.namespace, name: first.driverPodName });
  const op = await startOperator(t, f);
  const running = await waitState(f, 'adopt', 'RUNNING');
  assert.equal(running.status?.submissionID, submissionId);
  const pods = await driverPods(f, 'adopt');
  assert.equal(pods.length, 1);
  assert.equal(pods[0]?.metadata?.uid, before.metadata?.uid);
  // And a restart in the middle of a run: the new instance follows the same driver.
  await op.stop();
  const restarted = await startOperator(t, f);
  // The driver ends once the new instance is up (caches synced, controller working), so the new one follows it.
  assert.equal(await restarted.manager.whenReady(), true);
  await finishPod(f, 'adopt-driver', 0);
  const done = await waitState(f, 'adopt', 'COMPLETED');
  assert.equal(done.status?.submissionAttempts, 1);
  assert.equal((await driverPods(f, 'adopt')).length, 1);
});

test('re-created with the same name while the old driver lingers, 5 times: waits, never adopts it, submits once', async (t) => {
  const f = await fixture(t);
  await startOperator(t, f);
  const name = 'reborn';
  const hold = 'sparkop.dev/test-hold';
  const podKey = { namespace: f.namespace, name: `${name}-driver` };
  const setHold = (finalizers: string[] | null) => f.api.patch(Pods, podKey, mergePatch({ metadata: { finalizers } }));
  // kwok drops the finalizers of a deleted pod on its nodes (as a kubelet would, src/dev/localcluster/kwok.ts), so the
  // driver that lingers is one no node takes: held by its finalizer, it stays until the test lets it go.
  const unschedulable = () => minimalApp(name, { nodeSelector: { 'sparkop.dev/no-such-node': 'true' } });
  const recreate = (app: SparkApplicationObject) =>
    eventually(`${name} created again`, () => createApp(f, app).catch(() => undefined));
  const ownerOf = (pod: V1Pod | undefined) => pod?.metadata?.ownerReferences?.[0]?.uid;
  // Every state each incarnation (by uid) is seen in, read live every 100 ms for the whole test.
  const seen = new Map<string, Set<string>>();
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const app = await getApp(f, name).catch(() => undefined);
      const uid = app?.metadata.uid;
      if (uid) seen.set(uid, (seen.get(uid) ?? new Set()).add(stateOf(app) || '(new)'));
      await sleep(100);
    }
  })();
  t.after(async () => {
    watching = false;
    await watcher;
    await setHold(null).catch(() => undefined);
  });

  let held = await createApp(f, unschedulable());
  for (let round = 0; round < 5; round++) {
    // The driver of the application about to go: its own (the previous round's running driver may still have held
    // the name when it was created), submitted once.
    const heldUid = held.metadata.uid!;
    const old = await eventually(`round ${round}: the driver of ${heldUid}`, async () => {
      const pod = await f.api.get(Pods, podKey).catch(() => undefined);
      return ownerOf(pod) === heldUid ? pod : undefined;
    });
    // The driver pod is created before the status that records the submission is written.
    const submitted = await eventually(`round ${round}: the submission recorded`, async () => {
      const app = await getApp(f, name);
      return app.status?.submissionAttempts !== undefined ? app : undefined;
    });
    assert.equal(submitted.status?.submissionAttempts, 1, `round ${round}: submitted once`);
    await setHold([hold]);
    await f.api.delete(held, { propagationPolicy: round % 2 === 0 ? 'Background' : 'Orphan' });
    const reborn = await recreate(minimalApp(name));
    const rebornUid = reborn.metadata.uid!;
    assert.notEqual(rebornUid, heldUid);
    // While the old pod holds the name, the new application waits: no driver of its own, no failure.
    for (let i = 0; i < 10; i++) {
      const pod = await f.api.get(Pods, podKey).catch(() => undefined);
      assert.equal(pod?.metadata?.uid, old.metadata?.uid, `round ${round}: the old pod still holds the name`);
      assert.notEqual(ownerOf(pod), rebornUid, `round ${round}: the old pod is not adopted`);
      await sleep(150);
    }
    const waiting = await getApp(f, name);
    assert.equal(waiting.metadata.uid, rebornUid);
    assert.equal(stateOf(waiting), '', `round ${round}: not submitted yet`);
    await setHold(null);
    const running = await waitState(f, name, 'RUNNING', 60_000);
    assert.equal(running.metadata.uid, rebornUid);
    assert.equal(running.status?.submissionAttempts, 1, `round ${round}: submitted once`);
    const pods = await driverPods(f, name);
    assert.equal(pods.length, 1, `round ${round}: one driver pod`);
    assert.equal(ownerOf(pods[0]), rebornUid, `round ${round}: owned by the new application`);
    assert.equal(pods[0]?.metadata?.labels?.['sparkoperator.k8s.io/submission-id'], running.status?.submissionID);
    // And at once again, while the running driver is being deleted by the garbage collector.
    await f.api.delete(running, { propagationPolicy: 'Background' });
    held = await recreate(unschedulable());
  }
  const lastUid = held.metadata.uid!;
  await eventually('the last one gets its own driver', async () => {
    const pod = await f.api.get(Pods, podKey).catch(() => undefined);
    return ownerOf(pod) === lastUid ? pod : undefined;
  });
  watching = false;
  await watcher;
  assert.equal(seen.size, 11, 'eleven incarnations seen');
  for (const [uid, states] of seen) {
    for (const bad of ['FAILED', 'SUBMISSION_FAILED', 'FAILING']) {
      assert.ok(!states.has(bad), `${uid}: never ${bad} (seen: ${[...states].join(', ')})`);
    }
  }
  assert.ok(!(await eventReasons(f, name)).includes('SparkApplicationSubmissionFailed'));
});
