// Pure parts of the SparkApplication controller: metric derivation, batch-scheduler plans, UI objects, preparation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import type { SparkApplication } from '../../src/api/index.ts';
import { ApplicationMetrics, metricChanges } from '../../src/controllers/sparkapplication/metrics.ts';
import { planBatchScheduling, withoutBatchScheduler } from '../../src/spark/objects/batch-scheduler.ts';
import { prepareSubmission } from '../../src/spark/objects/prepare.ts';
import { splitIngressUrl, uiIngress, uiProxyBase, uiService } from '../../src/spark/objects/ui.ts';

const app = (spec: Partial<SparkApplication['spec']> = {}): SparkApplication =>
  ({
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'SparkApplication',
    metadata: { name: 'pi', namespace: 'ns', uid: 'u1', creationTimestamp: new Date('2025-01-01T00:00:00Z') },
    spec: {
      type: 'Scala',
      mode: 'cluster',
      sparkVersion: '3.5.8',
      driver: { cores: 1, memory: '512m' },
      executor: { instances: 2, cores: 2, memory: '1g' },
      ...spec,
    },
  }) as SparkApplication;

const baseApp = app;

const st = (state: string, extra: Record<string, unknown> = {}) =>
  ({ applicationState: { state }, driverInfo: {}, ...extra }) as SparkApplication['status'] & object;

test('metricChanges counts each transition once, from the state change', () => {
  const a = app();
  assert.deepEqual(
    metricChanges(a, undefined, st('SUBMITTED', { submissionID: 's1', submissionAttempts: 1 }), 0).map((c) => c.metric),
    ['spark_application_count', 'spark_application_submit_count'],
  );
  // The same status again (a reconcile with nothing new): nothing counted.
  const submitted = st('SUBMITTED', { submissionID: 's1', submissionAttempts: 1 });
  assert.deepEqual(metricChanges(a, submitted, submitted, 0), []);
  const now = Date.parse('2025-01-01T00:00:30Z');
  const running = metricChanges(a, submitted, st('RUNNING', { submissionID: 's1' }), now);
  assert.deepEqual(running, [{ kind: 'observe', metric: 'spark_application_start_latency_seconds', seconds: 30 }]);
  const completed = metricChanges(
    a,
    st('SUCCEEDING', { submissionID: 's1' }),
    st('COMPLETED', {
      submissionID: 's1',
      lastSubmissionAttemptTime: '2025-01-01T00:00:00Z',
      terminationTime: '2025-01-01T00:01:00Z',
    }),
    now,
  );
  assert.deepEqual(completed, [
    { kind: 'inc', metric: 'spark_application_success_count' },
    { kind: 'observe', metric: 'spark_application_success_execution_time_seconds', seconds: 60 },
  ]);
  const exec = metricChanges(
    a,
    st('RUNNING', { submissionID: 's1', executorState: { e1: 'RUNNING', e2: 'PENDING' } }),
    st('RUNNING', { submissionID: 's1', executorState: { e1: 'FAILED', e2: 'RUNNING' } }),
    now,
  );
  assert.deepEqual(
    exec.map((c) => `${c.kind}:${c.metric}`),
    ['inc:spark_executor_failure_count'],
  );
  assert.deepEqual(
    metricChanges(
      a,
      st('SUBMISSION_FAILED', { submissionAttempts: 1 }),
      st('SUBMISSION_FAILED', { submissionAttempts: 2 }),
      0,
    ).map((c) => c.metric),
    ['spark_application_failed_submission_count'],
  );
});

test('running gauges are counted from the applications at each scrape (a restarted operator starts right)', async () => {
  const registry = new Registry();
  type Counted = Pick<SparkApplication, 'metadata' | 'status'>;
  const inNs = (ns: string, status: SparkApplication['status']): Counted => ({
    metadata: { name: 'x', namespace: ns, labels: { team: 'a' } },
    status,
  });
  let apps: Counted[] = [
    inNs('one', st('RUNNING', { executorState: { e1: 'RUNNING', e2: 'RUNNING', e3: 'FAILED' } })),
    inNs('one', st('RUNNING', { executorState: { e1: 'PENDING' } })),
    inNs('two', st('COMPLETED', { executorState: { e1: 'COMPLETED' } })),
  ];
  let failing = false;
  let listings = 0;
  new ApplicationMetrics(registry, { prefix: '', labels: ['team'], jobStartLatencyBuckets: [1] }, async () => {
    listings++;
    if (failing) throw new Error('cache not synced');
    return apps;
  });
  const value = async (metric: string, ns: string) => {
    const m = await registry.getSingleMetric(metric)?.get();
    return m?.values.find((v) => v.labels.namespace === ns)?.value;
  };
  assert.equal(await value('spark_application_running_count', 'one'), 2);
  assert.equal(await value('spark_executor_running_count', 'one'), 2);
  assert.equal(await value('spark_application_running_count', 'two'), 0, 'a namespace with applications reports 0');
  listings = 0;
  const scrape = await registry.metrics();
  assert.match(scrape, /spark_application_running_count\{namespace="one",team="a"\} 2/);
  assert.match(scrape, /spark_executor_running_count\{namespace="one",team="a"\} 2/);
  assert.equal(listings, 1, 'one pass over the applications serves both gauges of a scrape');
  apps = [inNs('one', st('COMPLETED'))]; // one finished, the other deleted
  assert.equal(await value('spark_application_running_count', 'one'), 0);
  assert.equal(await value('spark_application_running_count', 'two'), undefined, 'no applications left: no series');
  failing = true;
  assert.equal(await value('spark_application_running_count', 'one'), 0, 'a failed listing keeps the last values');
});

test('batch schedulers: off, unknown, volcano, yunikorn, kube-scheduler', () => {
  // A buildable application: the gang is sized from what its pods will request.
  const app = (spec: Partial<SparkApplication['spec']> = {}) =>
    baseApp({ image: 'spark:3.5.8', mainClass: 'Pi', mainApplicationFile: 'local:///pi.jar', ...spec });
  const off = { enabled: false, kubeSchedulerNames: [], defaultBatchScheduler: '' };
  const on = { ...off, enabled: true };
  assert.deepEqual(planBatchScheduling(app(), on), { kind: 'none' });
  const disabled = planBatchScheduling(app({ batchScheduler: 'volcano' }), off);
  assert.equal(disabled.kind, 'ignored');
  assert.match(
    disabled.kind === 'ignored' ? disabled.message : '',
    /ignored: batch scheduling is off.*--enable-batch-scheduler/,
  );
  assert.equal(planBatchScheduling(app(), { ...off, defaultBatchScheduler: 'yunikorn' }).kind, 'ignored');
  const plain = withoutBatchScheduler(app({ batchScheduler: 'yunikorn', batchSchedulerOptions: { queue: 'q' } }));
  assert.equal(plain.spec.batchScheduler, undefined);
  assert.equal(plain.spec.batchSchedulerOptions, undefined);
  assert.equal(planBatchScheduling(app({ batchScheduler: 'nope' }), on).kind, 'error');
  const volcano = planBatchScheduling(app({ batchScheduler: 'volcano', batchSchedulerOptions: { queue: 'q' } }), on);
  assert.equal(volcano.kind, 'plan');
  if (volcano.kind === 'plan') {
    assert.equal(volcano.plan.requires?.group, 'scheduling.volcano.sh');
    assert.equal(volcano.plan.driverAnnotations['scheduling.k8s.io/group-name'], 'spark-pi-pg');
    const pg = volcano.plan.objects[0] as { spec: { minResources: Record<string, string>; queue: string } };
    // Driver 1 core, 512m + 384m overhead; two executors of 2 cores, 1g + 384m: what the pods will request.
    assert.deepEqual(pg.spec.minResources, { cpu: '5', memory: '3712Mi' });
    assert.equal(pg.spec.queue, 'q');
  }
  // sparkConf overrides count, as in the pods: executor CPU requests of 500m, an executor overhead of 1g.
  const tuned = planBatchScheduling(
    app({
      batchScheduler: 'volcano',
      sparkConf: { 'spark.kubernetes.executor.request.cores': '500m', 'spark.executor.memoryOverhead': '1g' },
    }),
    on,
  );
  assert.deepEqual(
    tuned.kind === 'plan' ? (tuned.plan.objects[0] as { spec: { minResources: unknown } }).spec.minResources : {},
    { cpu: '2', memory: `${896 + 2 * 2048}Mi` },
  );
  // A spec its pods cannot be built from fails as its submission would.
  const unbuildable = planBatchScheduling(baseApp({ batchScheduler: 'volcano' }), on);
  assert.match(unbuildable.kind === 'error' ? unbuildable.message : '', /spec\.(image|mainApplicationFile)/);
  const yk = planBatchScheduling(app({ batchScheduler: 'yunikorn' }), on);
  assert.ok(yk.kind === 'plan' && yk.plan.requires === undefined);
  if (yk.kind === 'plan') {
    const groups = JSON.parse(yk.plan.driverAnnotations['yunikorn.apache.org/task-groups'] ?? '[]') as {
      name: string;
      minMember: number;
      minResource: Record<string, string>;
    }[];
    assert.deepEqual(
      groups.map((g) => [g.name, g.minMember, g.minResource]),
      [
        ['spark-driver', 1, { cpu: '1', memory: '896Mi' }],
        ['spark-executor', 2, { cpu: '2', memory: '1408Mi' }],
      ],
    );
  }
  const ks = planBatchScheduling(app({ batchScheduler: 'my-sched' }), { ...on, kubeSchedulerNames: ['my-sched'] });
  assert.ok(ks.kind === 'plan' && ks.plan.podLabels['scheduling.x-k8s.io/pod-group'] === 'spark-pi-pg');
});

test("UI Service: kubeflow's labels (app name, submission id) and selector, the launched-by label, the app as owner", () => {
  const svc = uiService(app({ sparkUIOptions: { serviceLabels: { team: 'a' } } }), {
    kind: 'EnsureUIService',
    name: 'pi-ui-svc',
    port: 4040,
    driverPodName: 'pi-driver',
    submissionID: 'sub-7',
  });
  assert.deepEqual(svc.metadata?.labels, {
    team: 'a',
    'sparkoperator.k8s.io/app-name': 'pi',
    'sparkoperator.k8s.io/launched-by-spark-operator': 'true',
    'sparkoperator.k8s.io/submission-id': 'sub-7',
  });
  assert.deepEqual(svc.spec?.selector, { 'sparkoperator.k8s.io/app-name': 'pi', 'spark-role': 'driver' });
  assert.equal(svc.metadata?.ownerReferences?.[0]?.uid, 'u1');
});

test('UI ingress: host and path, TLS and annotations, proxyBase', () => {
  assert.deepEqual(splitIngressUrl('https://spark.example.com/ns/pi'), { host: 'spark.example.com', path: '/ns/pi' });
  assert.deepEqual(splitIngressUrl('pi.example.com'), { host: 'pi.example.com', path: '/' });
  assert.equal(uiProxyBase('h/ns/pi/'), '/ns/pi');
  const ing = uiIngress(
    app(),
    {
      kind: 'EnsureUIIngress',
      name: 'pi-ui-ingress',
      url: 'h.example.com/ns/pi',
      serviceName: 'pi-ui-svc',
      servicePort: 4040,
    },
    {
      enableUiService: true,
      ingressUrlFormat: '',
      ingressClassName: 'nginx',
      ingressTls: [{ hosts: ['h.example.com'], secretName: 's' }],
      ingressAnnotations: { a: 'b' },
    },
  );
  assert.equal(ing.spec?.ingressClassName, 'nginx');
  assert.equal(ing.spec?.rules?.[0]?.host, 'h.example.com');
  assert.equal(ing.spec?.rules?.[0]?.http?.paths[0]?.path, '/ns/pi(/|$)(.*)');
  assert.deepEqual(ing.spec?.tls, [{ hosts: ['h.example.com'], secretName: 's' }]);
  assert.equal(ing.metadata?.annotations?.a, 'b');
  const prepared = prepareSubmission(app(), undefined, 'h.example.com/ns/pi');
  assert.equal(prepared.app.spec.sparkConf?.['spark.ui.proxyBase'], '/ns/pi');
});

test('monitoring: the Prometheus ConfigMap is prepared before the driver', () => {
  const withProm = app({
    monitoring: { exposeDriverMetrics: true, exposeExecutorMetrics: false, prometheus: { jmxExporterJar: '/j.jar' } },
  });
  const prepared = prepareSubmission(withProm, undefined, undefined);
  assert.equal(prepared.objects[0]?.metadata?.name, 'pi-prom-conf');
  assert.deepEqual(prepareSubmission(app(), undefined, undefined).objects, []);
});

test("a submission gets kubeflow's defaults where the spec and sparkConf are silent", () => {
  const bare = app({ driver: {}, executor: {}, restartPolicy: { type: 'OnFailure' } });
  const { spec } = prepareSubmission(bare, undefined, undefined).app;
  assert.deepEqual(
    [spec.driver.cores, spec.driver.memory, spec.executor.cores, spec.executor.memory, spec.executor.instances],
    [1, '1g', 1, '1g', 1],
  );
  assert.deepEqual(spec.restartPolicy, {
    type: 'OnFailure',
    onFailureRetryInterval: 5,
    onSubmissionFailureRetryInterval: 5,
  });
  assert.equal(bare.spec.executor.instances, undefined, 'the application itself is not changed');
  // What sparkConf sets is left to sparkConf; dynamic allocation sizes itself.
  const conf = app({
    driver: {},
    executor: {},
    sparkConf: { 'spark.executor.instances': '3', 'spark.driver.memory': '2g' },
  });
  const fromConf = prepareSubmission(conf, undefined, undefined).app.spec;
  assert.equal(fromConf.executor.instances, undefined);
  assert.equal(fromConf.driver.memory, undefined);
  const dynamic = prepareSubmission(
    app({ executor: {}, dynamicAllocation: { enabled: true, maxExecutors: 4 } }),
    undefined,
    undefined,
  ).app.spec;
  assert.equal(dynamic.executor.instances, undefined);
  assert.equal(dynamic.dynamicAllocation?.shuffleTrackingEnabled, true);
});
