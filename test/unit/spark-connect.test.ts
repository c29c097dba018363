// The SparkConnect core, without a cluster: the server pod, Service and ConfigMap built from kubeflow's example and
// variants of it, and decide() from each situation a reconcile can find.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { sharedPath } from '../../harness/shared.ts';
import { type Condition, type SparkConnect, validateSparkConnect } from '../../src/api/index.ts';
import { serverProblem, urlLines } from '../../src/cli/connect-commands.ts';
import { executorPod } from '../../src/dev/localcluster/spark-simulator-executors.ts';
import { planConnectServer } from '../../src/dev/localcluster/spark-simulator-plan.ts';
import {
  type ConnectObservation,
  confFromArgs,
  connectSpecHash,
  decide,
  desiredConfigMap,
  desiredServerPod,
  desiredService,
  RESTART_BACKOFF,
  restartDelayMs,
  SERVER_POD_READY,
  type ServerView,
  SPEC_HASH_ANNOTATION,
  serverArgs,
  serverConf,
  viewServerPod,
  viewService,
} from '../../src/spark/connect/index.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function example(): SparkConnect {
  const c = parse(readFileSync(sharedPath('examples', 'kubeflow', 'sparkconnect', 'spark-connect.yaml'), 'utf8'));
  return { ...c, metadata: { ...c.metadata, namespace: 'ns', uid: 'uid-1', generation: 1 } } as SparkConnect;
}

function withStatus(c: SparkConnect, status: SparkConnect['status']): SparkConnect {
  return { ...c, status };
}

function condition(reason: string, atMs: number, status: Condition['status'] = 'False', message = reason): Condition {
  return { type: SERVER_POD_READY, status, reason, message, lastTransitionTime: iso(atMs) };
}

/** The server pod as the API server would hold it for `c`, in `phase`. */
function server(c: SparkConnect, overrides: Partial<ServerView> = {}): ServerView {
  return {
    name: 'spark-connect-server',
    uid: 'pod-1',
    owned: true,
    hash: connectSpecHash(c),
    phase: 'Running',
    deleting: false,
    ready: true,
    podIP: '10.0.0.7',
    createdAtMs: T0 - 60_000,
    detail: '',
    ...overrides,
  };
}

/** The Service as created for `c`. */
function services(c: SparkConnect) {
  const svc = desiredService(c);
  return [viewService({ ...svc, metadata: { ...svc.metadata, uid: 'svc-1' } }, c.metadata.uid ?? '')];
}

function observe(c: SparkConnect, o: Partial<ConnectObservation> = {}): ConnectObservation {
  return { connect: c, services: services(c), executorPhases: [], nowMs: T0, ...o };
}

const kinds = (plan: ReturnType<typeof decide>) => plan.actions.map((a) => a.kind);
const readyCondition = (plan: ReturnType<typeof decide>) =>
  plan.status.conditions?.find((x) => x.type === SERVER_POD_READY);

test("kubeflow's example is valid; names Spark cannot use are not", () => {
  assert.deepEqual(validateSparkConnect(example()), []);
  const long = { ...example(), metadata: { name: `a${'b'.repeat(47)}` } };
  assert.deepEqual(
    validateSparkConnect(long).map((i) => i.path),
    ['metadata.name'],
  );
  const upper = { ...example(), metadata: { name: 'Connect' } };
  assert.deepEqual(
    validateSparkConnect(upper).map((i) => i.path),
    ['metadata.name'],
  );
  const noServer = { ...example(), spec: { ...example().spec, server: undefined } };
  assert.deepEqual(
    validateSparkConnect(noServer).map((i) => i.path),
    ['spec.server'],
  );
});

test("the server's Spark properties: the spec's, then what the operator derives (which wins)", () => {
  const c = example();
  c.spec.sparkConf = {
    'spark.sql.shuffle.partitions': '8',
    'spark.driver.host': 'ignored',
    'spark.kubernetes.driver.pod.name': 'ignored-too',
  };
  c.spec.hadoopConf = { 'fs.s3a.endpoint': 'http://s3', 'spark.hadoop.fs.defaultFS': 's3a://b' };
  c.spec.server.cores = 2;
  c.spec.server.memory = '2g';
  c.metadata.labels = { team: 'data' };
  const conf = serverConf(c);
  assert.equal(conf.get('spark.sql.shuffle.partitions'), '8');
  assert.equal(conf.get('spark.hadoop.fs.s3a.endpoint'), 'http://s3');
  assert.equal(conf.get('spark.hadoop.fs.defaultFS'), 's3a://b');
  assert.equal(conf.get('spark.driver.host'), 'spark-connect-server.ns.svc');
  assert.equal(conf.get('spark.kubernetes.driver.pod.name'), 'spark-connect-server');
  assert.equal(conf.get('spark.driver.bindAddress'), '0.0.0.0');
  assert.equal(conf.get('spark.driver.port'), '7078');
  assert.equal(conf.get('spark.driver.blockManager.port'), '7079');
  assert.equal(conf.get('spark.driver.cores'), '2');
  assert.equal(conf.get('spark.driver.memory'), '2g');
  assert.equal(conf.get('spark.kubernetes.namespace'), 'ns');
  assert.equal(conf.get('spark.kubernetes.container.image'), 'docker.io/apache/spark:4.0.4');
  assert.equal(conf.get('spark.kubernetes.executor.container.image'), 'docker.io/apache/spark:4.0.4');
  assert.equal(conf.get('spark.executor.instances'), '2');
  assert.equal(conf.get('spark.executor.cores'), '1');
  assert.equal(conf.get('spark.executor.memory'), '512m');
  assert.equal(conf.get('spark.kubernetes.executor.podNamePrefix'), 'spark-connect');
  assert.equal(conf.get('spark.kubernetes.executor.label.sparkoperator.k8s.io/launched-by-spark-operator'), 'true');
  assert.equal(conf.get('spark.kubernetes.executor.label.sparkoperator.k8s.io/connect-name'), 'spark-connect');
  assert.equal(conf.get('spark.kubernetes.executor.label.team'), 'data');
  assert.equal(conf.get('spark.kubernetes.executor.podTemplateFile'), '/tmp/spark/executor-pod-template.yaml');
  assert.equal(conf.get('spark.kubernetes.executor.podTemplateContainerName'), 'spark-kubernetes-executor');
  assert.equal(conf.get('spark.dynamicAllocation.enabled'), undefined);

  const args = serverArgs(c);
  assert.deepEqual(args.slice(0, 2), ['--master', 'k8s://https://kubernetes.default.svc:443']);
  // Each key once, read back as written.
  const back = confFromArgs(args);
  assert.equal(back['spark.master'], 'k8s://https://kubernetes.default.svc:443');
  const { 'spark.master': _m, ...rest } = back;
  assert.deepEqual(rest, Object.fromEntries(conf));
  assert.equal(args.filter((a) => a === '--conf').length, conf.size);
});

test('dynamic allocation and the executor template become Spark properties only when given', () => {
  const c = example();
  c.spec.executor.template = undefined;
  c.spec.dynamicAllocation = { enabled: true, initialExecutors: 1, minExecutors: 0, maxExecutors: 4 };
  const conf = serverConf(c);
  assert.equal(conf.get('spark.kubernetes.executor.podTemplateFile'), undefined);
  assert.equal(conf.get('spark.dynamicAllocation.enabled'), 'true');
  assert.equal(conf.get('spark.dynamicAllocation.initialExecutors'), '1');
  assert.equal(conf.get('spark.dynamicAllocation.minExecutors'), '0');
  assert.equal(conf.get('spark.dynamicAllocation.maxExecutors'), '4');
  assert.equal(conf.get('spark.dynamicAllocation.shuffleTracking.enabled'), 'true');
  // Without the template's executor image: spec.image, else the server's.
  assert.equal(conf.get('spark.kubernetes.container.image'), 'docker.io/apache/spark:4.0.4');
  c.spec.image = 'registry/spark:4';
  assert.equal(serverConf(c).get('spark.kubernetes.executor.container.image'), 'registry/spark:4');
});

test('the server pod: the template merged, the server container running start-connect-server.sh', () => {
  const c = example();
  const pod = desiredServerPod(c);
  assert.equal(pod.metadata?.name, 'spark-connect-server');
  assert.equal(pod.metadata?.namespace, 'ns');
  assert.deepEqual(pod.metadata?.labels, {
    key1: 'value1',
    key2: 'value2',
    'sparkoperator.k8s.io/launched-by-spark-operator': 'true',
    'sparkoperator.k8s.io/connect-name': 'spark-connect',
    'spark-role': 'connect-server',
    'spark-version': '4.0.4',
  });
  assert.equal(pod.metadata?.annotations?.key3, 'value3');
  assert.equal(pod.metadata?.annotations?.[SPEC_HASH_ANNOTATION], connectSpecHash(c));
  assert.deepEqual(pod.metadata?.ownerReferences, [
    {
      apiVersion: 'sparkoperator.k8s.io/v1alpha1',
      kind: 'SparkConnect',
      name: 'spark-connect',
      uid: 'uid-1',
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  assert.equal(pod.spec?.restartPolicy, 'Never');
  assert.equal((pod.spec as { serviceAccount?: string }).serviceAccount, 'spark-operator-spark');
  assert.equal(pod.spec?.securityContext?.runAsUser, 185);
  const [container] = pod.spec?.containers ?? [];
  assert.equal(container?.name, 'spark-kubernetes-driver');
  assert.equal(container?.image, 'docker.io/apache/spark:4.0.4');
  assert.equal(container?.imagePullPolicy, 'Always');
  assert.deepEqual(container?.resources?.limits, { cpu: 1, memory: '1Gi' });
  assert.equal(container?.command?.[0], 'bash');
  assert.match(
    container?.command?.[2] ?? '',
    /exec "\$\{SPARK_HOME:-\/opt\/spark\}\/sbin\/start-connect-server\.sh" "\$@"/,
  );
  assert.deepEqual(container?.args, serverArgs(c));
  assert.deepEqual(container?.env, [{ name: 'SPARK_NO_DAEMONIZE', value: 'true' }]);
  assert.deepEqual(
    container?.ports?.map((p) => p.containerPort),
    [15002, 4040, 7078, 7079],
  );
  assert.deepEqual(container?.readinessProbe?.tcpSocket, { port: 15002 });
  assert.deepEqual(container?.volumeMounts, [
    {
      name: 'spark-connect-conf',
      mountPath: '/tmp/spark/executor-pod-template.yaml',
      subPath: 'executor-pod-template.yaml',
      readOnly: true,
    },
  ]);
  assert.deepEqual(pod.spec?.volumes?.[0]?.configMap?.name, 'spark-connect-conf');
});

test("the server container: named spark-kubernetes-driver, else the first, else added; the template's probes kept", () => {
  const c = example();
  const sidecar = { name: 'sidecar', image: 'busybox' };
  c.spec.server.template = {
    spec: {
      containers: [
        sidecar,
        { name: 'spark-kubernetes-driver', readinessProbe: { tcpSocket: { port: 9999 } }, restartPolicy: undefined },
      ],
      restartPolicy: 'OnFailure',
    },
  };
  c.spec.image = 'spark:4';
  const pod = desiredServerPod(c);
  assert.deepEqual(pod.spec?.containers[0], sidecar);
  assert.equal(pod.spec?.containers[1]?.image, 'spark:4');
  assert.deepEqual(pod.spec?.containers[1]?.readinessProbe, { tcpSocket: { port: 9999 } });
  assert.equal(pod.spec?.restartPolicy, 'OnFailure');
  c.spec.server.template = { spec: { containers: [{ name: 'main', image: 'mine' }] } };
  assert.equal(desiredServerPod(c).spec?.containers[0]?.name, 'main');
  assert.equal(desiredServerPod(c).spec?.containers[0]?.image, 'mine');
  c.spec.server.template = undefined;
  assert.equal(desiredServerPod(c).spec?.containers[0]?.name, 'spark-kubernetes-driver');
  c.spec.image = undefined;
  c.spec.executor.template = undefined;
  assert.throws(() => desiredServerPod(c), /spec\.image: no image for the server/);
});

test('the Service: headless by default, publishing the server before it is ready; spec.server.service honoured', () => {
  const c = example();
  const svc = desiredService(c);
  assert.equal(svc.metadata?.name, 'spark-connect-server');
  assert.equal(svc.spec?.clusterIP, 'None');
  assert.equal(svc.spec?.publishNotReadyAddresses, true);
  assert.deepEqual(svc.spec?.selector, {
    'sparkoperator.k8s.io/launched-by-spark-operator': 'true',
    'sparkoperator.k8s.io/connect-name': 'spark-connect',
    'spark-role': 'connect-server',
  });
  assert.deepEqual(
    svc.spec?.ports?.map((p) => [p.name, p.port]),
    [
      ['spark-connect-server', 15002],
      ['web-ui', 4040],
      ['driver-rpc', 7078],
      ['blockmanager', 7079],
    ],
  );
  assert.equal(svc.metadata?.labels?.['sparkoperator.k8s.io/created-by-spark-operator'], 'true');
  // The server's settings do not touch the Service; its own spec does.
  const hash = svc.metadata?.annotations?.[SPEC_HASH_ANNOTATION];
  c.spec.server.cores = 4;
  assert.equal(desiredService(c).metadata?.annotations?.[SPEC_HASH_ANNOTATION], hash);
  c.spec.server.service = {
    metadata: { name: 'connect', annotations: { a: 'b' } },
    spec: { type: 'LoadBalancer', ports: [{ port: 1 }], selector: { x: 'y' } },
  };
  const lb = desiredService(c);
  assert.equal(lb.metadata?.name, 'connect');
  assert.equal(lb.metadata?.annotations?.a, 'b');
  assert.equal(lb.spec?.type, 'LoadBalancer');
  assert.equal(lb.spec?.clusterIP, undefined);
  assert.equal(lb.spec?.ports?.length, 4);
  assert.equal(lb.spec?.selector?.x, undefined);
  assert.notEqual(lb.metadata?.annotations?.[SPEC_HASH_ANNOTATION], hash);
  assert.equal(serverConf(c).get('spark.driver.host'), 'connect.ns.svc');
});

test('the ConfigMap holds the executor pod template', () => {
  const c = example();
  const cm = desiredConfigMap(c);
  assert.equal(cm.metadata?.name, 'spark-connect-conf');
  assert.deepEqual(parse(cm.data?.['executor-pod-template.yaml'] ?? ''), c.spec.executor.template);
  c.spec.executor.template = undefined;
  assert.equal(desiredConfigMap(c).data?.['executor-pod-template.yaml'], '{}\n');
});

test('a new SparkConnect: Service, ConfigMap and server pod are created; the status says so', () => {
  const c = example();
  const plan = decide(observe(c, { services: [] }));
  assert.deepEqual(kinds(plan), ['CreateService', 'ApplyConfigMap', 'CreateServerPod']);
  assert.equal(plan.status.state, 'NotReady');
  assert.equal(readyCondition(plan)?.reason, 'ServerPodStarting');
  assert.equal(readyCondition(plan)?.observedGeneration, 1);
  assert.deepEqual(plan.status.server, { podName: 'spark-connect-server', serviceName: 'spark-connect-server' });
  assert.equal(plan.status.startTime, iso(T0));
  assert.equal(plan.status.lastUpdateTime, iso(T0));
  assert.deepEqual(plan.events, [
    { type: 'Normal', reason: 'SparkConnectServerStarting', message: 'creating server pod spark-connect-server' },
  ]);
});

test('a ready server: Ready, its IP, executors by phase; deciding again changes nothing', () => {
  const c = withStatus(example(), {
    conditions: [condition('ServerPodStarting', T0 - 5_000)],
    startTime: iso(T0 - 5_000),
  });
  const plan = decide(observe(c, { server: server(c), executorPhases: ['Running', 'Running', 'Pending'] }));
  assert.deepEqual(plan.actions, []);
  assert.equal(plan.status.state, 'Ready');
  assert.equal(readyCondition(plan)?.status, 'True');
  assert.equal(plan.status.server?.podIp, '10.0.0.7');
  assert.deepEqual(plan.status.executors, { running: 2, pending: 1 });
  assert.equal(plan.events[0]?.reason, 'SparkConnectServerReady');
  const again = decide(
    observe(withStatus(c, plan.status), {
      server: server(c),
      executorPhases: ['Running', 'Pending', 'Running'],
      nowMs: T0 + 60_000,
    }),
  );
  assert.deepEqual(again.status, plan.status);
  assert.deepEqual(again.events, []);
  assert.deepEqual(again.actions, []);
});

test('a server that is not ready says why', () => {
  const c = example();
  const plan = decide(observe(c, { server: server(c, { ready: false, detail: 'ErrImagePull: no registry' }) }));
  assert.equal(plan.status.state, 'NotReady');
  assert.equal(readyCondition(plan)?.reason, 'ServerPodNotReady');
  assert.match(readyCondition(plan)?.message ?? '', /ErrImagePull: no registry/);
});

test('a spec change replaces the server: delete (the restart count starts again), wait, create', () => {
  const c = withStatus(example(), {
    conditions: [condition('ServerPodReady', T0 - 9_000, 'True')],
    restartAttempts: 3,
    lastRestartTime: iso(T0 - 20_000),
  });
  const old = server(c, { hash: 'sha256:old' });
  const plan = decide(observe(c, { server: old }));
  assert.deepEqual(plan.actions, [{ kind: 'DeleteServerPod', name: 'spark-connect-server', uid: 'pod-1' }]);
  assert.equal(readyCondition(plan)?.reason, 'SpecChanged');
  assert.equal(plan.status.restartAttempts, undefined);
  assert.equal(plan.events[0]?.reason, 'SparkConnectSpecChanged');
  const deleting = decide(observe(withStatus(c, plan.status), { server: { ...old, deleting: true } }));
  assert.deepEqual(deleting.actions, []);
  assert.equal(readyCondition(deleting)?.reason, 'SpecChanged');
  assert.ok((deleting.requeueAfterMs ?? 0) > 0);
  const gone = decide(observe(withStatus(c, plan.status)));
  assert.deepEqual(kinds(gone), ['ApplyConfigMap', 'CreateServerPod']);
  assert.equal(readyCondition(gone)?.reason, 'ServerPodStarting');
  assert.equal(gone.status.restartAttempts, undefined);
});

test('a deleted server is started again after the backoff, counted, with a Warning', () => {
  const c = withStatus(example(), { conditions: [condition('ServerPodReady', T0 - 60_000, 'True')] });
  const died = decide(observe(c));
  assert.deepEqual(died.actions, []);
  assert.equal(died.status.state, 'NotReady');
  assert.equal(readyCondition(died)?.reason, 'Restarting');
  assert.match(readyCondition(died)?.message ?? '', /server pod spark-connect-server was deleted/);
  assert.equal(died.requeueAfterMs, RESTART_BACKOFF.initialMs);
  assert.deepEqual(
    died.events.map((e) => [e.type, e.reason]),
    [['Warning', 'SparkConnectServerDied']],
  );

  const early = decide(observe(withStatus(c, died.status), { nowMs: T0 + 400 }));
  assert.deepEqual(early.actions, []);
  assert.equal(early.requeueAfterMs, 600);
  assert.deepEqual(early.events, []);

  const due = decide(observe(withStatus(c, died.status), { nowMs: T0 + 1_000 }));
  assert.deepEqual(kinds(due), ['ApplyConfigMap', 'CreateServerPod']);
  assert.equal(due.status.restartAttempts, 1);
  assert.equal(due.status.lastRestartTime, iso(T0 + 1_000));
  assert.equal(readyCondition(due)?.reason, 'ServerPodStarting');
  assert.match(readyCondition(due)?.message ?? '', /again \(restart 1\): server pod spark-connect-server was deleted$/);

  // The create failed (the status was written first): the next reconcile creates, without counting again.
  const retry = decide(observe(withStatus(c, due.status), { nowMs: T0 + 1_500 }));
  assert.deepEqual(kinds(retry), ['ApplyConfigMap', 'CreateServerPod']);
  assert.equal(retry.status.restartAttempts, 1);
});

test('a failed server: Restarting with its exit code; then the dead pod is deleted and a new one created', () => {
  const c = withStatus(example(), {
    conditions: [condition('ServerPodReady', T0 - 60_000, 'True')],
    restartAttempts: 1,
    lastRestartTime: iso(T0 - 120_000),
  });
  const failed = server(c, {
    phase: 'Failed',
    ready: false,
    detail: 'failed: container spark-kubernetes-driver exited with code 1 (Error)',
  });
  const died = decide(observe(c, { server: failed }));
  assert.deepEqual(died.actions, []);
  assert.match(readyCondition(died)?.message ?? '', /exited with code 1 \(Error\)/);
  assert.equal(died.requeueAfterMs, 2 * RESTART_BACKOFF.initialMs, 'the second restart waits twice as long');
  assert.deepEqual(died.status.executors, undefined);
  const due = decide(observe(withStatus(c, died.status), { server: failed, nowMs: T0 + 2_000 }));
  assert.deepEqual(due.actions[0], {
    kind: 'DeleteServerPod',
    name: 'spark-connect-server',
    uid: 'pod-1',
    gracePeriodSeconds: 0,
  });
  assert.deepEqual(kinds(due).slice(1), ['ApplyConfigMap', 'CreateServerPod']);
  assert.equal(due.status.restartAttempts, 2);
  // The dead pod still there after the restart was counted: deleted and created again, not counted.
  const leftover = decide(observe(withStatus(c, due.status), { server: failed, nowMs: T0 + 2_500 }));
  assert.deepEqual(kinds(leftover), ['DeleteServerPod', 'ApplyConfigMap', 'CreateServerPod']);
  assert.equal(leftover.status.restartAttempts, 2);
  // A new server that failed at once is a death of its own.
  const newOne = server(c, { ...failed, uid: 'pod-2', createdAtMs: T0 + 2_000 });
  const again = decide(observe(withStatus(c, due.status), { server: newOne, nowMs: T0 + 3_000 }));
  assert.deepEqual(again.actions, []);
  assert.equal(readyCondition(again)?.reason, 'Restarting');
});

test('the restart backoff doubles up to 5 minutes and starts over after 10 minutes of life', () => {
  assert.equal(restartDelayMs(0, undefined, T0), 1_000);
  assert.equal(restartDelayMs(3, iso(T0 - 5_000), T0), 8_000);
  assert.equal(restartDelayMs(20, iso(T0 - 5_000), T0), 300_000);
  assert.equal(restartDelayMs(20, iso(T0 - 600_000), T0), 1_000);
});

test('a pod of that name that is not this SparkConnect’s is reported and left alone', () => {
  const c = example();
  const plan = decide(observe(c, { server: server(c, { owned: false }) }));
  assert.deepEqual(plan.actions, []);
  assert.equal(readyCondition(plan)?.reason, 'ServerPodNameTaken');
  assert.equal(plan.events[0]?.type, 'Warning');
  // An earlier SparkConnect's server, going: this one starts once it is gone (not a death).
  const leaving = decide(observe(c, { server: server(c, { owned: false, deleting: true }) }));
  assert.equal(readyCondition(leaving)?.reason, 'ServerPodStarting');
  assert.deepEqual(leaving.actions, []);
  const gone = decide(observe(withStatus(c, leaving.status)));
  assert.deepEqual(kinds(gone), ['ApplyConfigMap', 'CreateServerPod']);
  assert.equal(gone.status.restartAttempts, undefined);
});

test('a spec without any image fails with the field named; nothing is created', () => {
  const c = example();
  c.spec.server.template = undefined;
  c.spec.executor.template = undefined;
  const plan = decide(observe(c, { services: [] }));
  assert.deepEqual(plan.actions, []);
  assert.equal(plan.status.state, 'Failed');
  assert.equal(readyCondition(plan)?.reason, 'InvalidSpec');
  assert.match(readyCondition(plan)?.message ?? '', /^spec\.image: /);
  assert.equal(plan.events[0]?.reason, 'SparkConnectInvalid');
});

test('a Service built from an older spec.server.service is replaced; one of a former name is deleted', () => {
  const c = example();
  const stale = { ...services(c)[0]!, hash: 'sha256:old' };
  const plan = decide(observe(c, { server: server(c), services: [stale] }));
  assert.deepEqual(plan.actions, [{ kind: 'DeleteService', name: 'spark-connect-server', uid: 'svc-1' }]);
  const former = { name: 'old-name', uid: 'svc-0', owned: true, deleting: false };
  const both = decide(observe(c, { server: server(c), services: [...services(c), former] }));
  assert.deepEqual(both.actions, [{ kind: 'DeleteService', name: 'old-name', uid: 'svc-0' }]);
});

test('viewServerPod reads ownership, hash, readiness and how a pod ended', () => {
  const c = example();
  const pod: V1Pod = {
    ...desiredServerPod(c),
    metadata: { ...desiredServerPod(c).metadata, uid: 'p', creationTimestamp: new Date(T0) },
    status: {
      phase: 'Failed',
      podIP: '10.1.1.1',
      containerStatuses: [
        {
          name: 'spark-kubernetes-driver',
          image: 'x',
          imageID: 'x',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
        },
      ],
    },
  };
  const view = viewServerPod(pod, 'uid-1');
  assert.equal(view.owned, true);
  assert.equal(view.hash, connectSpecHash(c));
  assert.equal(view.ready, false);
  assert.equal(view.createdAtMs, T0);
  assert.equal(view.detail, 'failed: container spark-kubernetes-driver exited with code 137 (OOMKilled)');
  assert.equal(viewServerPod(pod, 'other').owned, false);
  const pending = viewServerPod(
    {
      ...pod,
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes' }],
      },
    },
    'uid-1',
  );
  assert.equal(pending.detail, 'not scheduled: 0/1 nodes');
});

test('sparkctl connect url: the in-cluster address and the port-forward line; a server that cannot be reached', () => {
  const c = example();
  assert.deepEqual(urlLines(c), [
    'sc://spark-connect-server.ns.svc:15002',
    'from outside the cluster: npx sparkctl connect url spark-connect -n ns --port-forward  (forwards a local port to port 15002 of the server pod and prints sc://127.0.0.1:<port>)',
  ]);
  assert.match(serverProblem(c, undefined) ?? '', /server pod spark-connect-server does not exist/);
  assert.match(serverProblem(c, { status: { phase: 'Pending' } }) ?? '', /is Pending, not Running/);
  assert.equal(serverProblem(c, { status: { phase: 'Running' } }), undefined);
});

test('the simulator plays a Spark Connect server: executors while it runs, ended with it', () => {
  const exec = (execId: number, endRequested = false) => ({
    name: `x-exec-${execId}`,
    execId,
    endRequested,
    deleting: false,
  });
  const running = { phase: 'Running', deleting: false, endRequested: false };
  assert.deepEqual(planConnectServer({ server: running, executors: [exec(1)], executorCount: 3 }).actions, [
    { type: 'createExecutors', execIds: [2, 3] },
  ]);
  assert.deepEqual(
    planConnectServer({ server: running, executors: [exec(1, true), exec(2)], executorCount: 2 }).actions,
    [],
  );
  assert.deepEqual(
    planConnectServer({ server: { ...running, phase: 'Pending' }, executors: [], executorCount: 2 }).actions,
    [],
  );
  for (const server of [
    { ...running, endRequested: true },
    { ...running, phase: 'Failed' },
  ]) {
    assert.deepEqual(planConnectServer({ server, executors: [exec(1), exec(2, true)], executorCount: 2 }).actions, [
      { type: 'endExecutors', names: ['x-exec-1'] },
    ]);
  }
  assert.deepEqual(
    planConnectServer({ server: { ...running, deleting: true }, executors: [exec(1)], executorCount: 2 }).actions,
    [],
  );
  // Executors from the server's arguments: its name prefix, labels and the template's.
  const c = example();
  const pod = desiredServerPod(c);
  const props = { 'spark.app.id': 'spark-abc', ...confFromArgs(pod.spec?.containers[0]?.args ?? []) };
  const executor = executorPod({
    driver: { ...pod, metadata: { ...pod.metadata, uid: 'server-uid' } },
    props,
    execId: 1,
    template: c.spec.executor.template as V1Pod,
  });
  assert.equal(executor.metadata?.name, 'spark-connect-exec-1');
  assert.equal(executor.metadata?.labels?.['sparkoperator.k8s.io/connect-name'], 'spark-connect');
  assert.equal(executor.metadata?.labels?.['spark-role'], 'executor');
  assert.equal(executor.metadata?.labels?.key1, 'value1');
  assert.equal(executor.metadata?.ownerReferences?.[0]?.uid, 'server-uid');
});
