// spec.driverIngressOptions against the real control plane: a Service and an Ingress per entry for the driver pod of
// the current run, kept after completion (as kubeflow does), gone with the driver pod (rerun, deletion).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Ingress, V1Service } from '@kubernetes/client-node';
import { Ingresses, Pods, Services, SparkApplications } from '../../src/controllers/sparkapplication/kinds.ts';
import { mergePatch } from '../../src/runtime/index.ts';
import type { SparkApplication } from '../../src/spark/lifecycle/index.ts';
import { eventually } from '../support/kube.ts';
import {
  createApp,
  eventReasons,
  type Fixture,
  fixture,
  getApp,
  minimalApp,
  runDriverTo,
  startOperator,
  waitState,
} from './sparkapplication-harness.ts';

type Entry = NonNullable<SparkApplication['spec']['driverIngressOptions']>[number];

const CONNECT: Entry = {
  servicePort: 15002,
  servicePortName: 'spark-connect',
  serviceType: 'NodePort',
  serviceAnnotations: { 'svc.example.com/owner': 'data-team' },
  serviceLabels: { team: 'data' },
  ingressURLFormat: '{{$appName}}-connect.{{$appNamespace}}.example.com',
  ingressAnnotations: { 'ing.example.com/timeout': '300' },
  ingressTLS: [{ hosts: ['connect.example.com'], secretName: 'connect-tls' }],
};
const JUPYTER: Entry = {
  servicePort: 8888,
  servicePortName: '',
  ingressURLFormat: 'notebooks.example.com/{{$appNamespace}}/{{$appId}}',
};

const DISABLED_UI = {
  enableUiService: false,
  ingressUrlFormat: '',
  ingressClassName: '',
  ingressTls: [],
  ingressAnnotations: {},
};

async function found<T>(read: Promise<T>): Promise<T | undefined> {
  return read.catch(() => undefined);
}

function getService(f: Fixture, name: string): Promise<V1Service | undefined> {
  return found(f.api.get(Services, { namespace: f.namespace, name }));
}

function getIngress(f: Fixture, name: string): Promise<V1Ingress | undefined> {
  return found(f.api.get(Ingresses, { namespace: f.namespace, name }));
}

/** The Service and Ingress of `port` once both exist and belong to the app's current submission. */
async function exposed(f: Fixture, app: string, port: number): Promise<{ svc: V1Service; ing: V1Ingress }> {
  return eventually(`${app} port ${port} exposed for the current run`, async () => {
    const current = (await getApp(f, app)).status?.submissionID;
    const svc = await getService(f, `${app}-driver-${port}`);
    const ing = await getIngress(f, `${app}-ing-${port}`);
    const run = (o: V1Service | V1Ingress | undefined) => o?.metadata?.labels?.['sparkoperator.k8s.io/submission-id'];
    return svc && ing && run(svc) === current && run(ing) === current ? { svc, ing } : undefined;
  });
}

test('two entries: Services and Ingresses for the driver, kept after completion, gone with the application', async (t) => {
  const f = await fixture(t);
  await startOperator(t, f, { ui: { ...DISABLED_UI, ingressClassName: 'nginx' } });
  await createApp(f, minimalApp('nb', { driverIngressOptions: [CONNECT, JUPYTER] }));
  const running = await waitState(f, 'nb', 'RUNNING');
  const pod = await f.api.get(Pods, { namespace: f.namespace, name: 'nb-driver' });
  const owner = [{ apiVersion: 'v1', kind: 'Pod', name: 'nb-driver', uid: pod.metadata?.uid, controller: true }];

  const connect = await exposed(f, 'nb', 15002);
  assert.equal(connect.svc.spec?.type, 'NodePort');
  assert.deepEqual(connect.svc.spec?.selector, { 'sparkoperator.k8s.io/app-name': 'nb', 'spark-role': 'driver' });
  const [connectPort] = connect.svc.spec?.ports ?? [];
  assert.deepEqual([connectPort?.name, connectPort?.port, connectPort?.targetPort], ['spark-connect', 15002, 15002]);
  assert.equal(connect.svc.metadata?.annotations?.['svc.example.com/owner'], 'data-team');
  assert.equal(connect.svc.metadata?.labels?.team, 'data');
  assert.equal(connect.svc.metadata?.labels?.['sparkoperator.k8s.io/launched-by-spark-operator'], 'true');
  assert.deepEqual(connect.svc.metadata?.ownerReferences, owner);
  assert.equal(connect.ing.spec?.ingressClassName, 'nginx');
  assert.equal(connect.ing.metadata?.annotations?.['ing.example.com/timeout'], '300');
  assert.deepEqual(connect.ing.spec?.tls, [{ hosts: ['connect.example.com'], secretName: 'connect-tls' }]);
  const [connectRule] = connect.ing.spec?.rules ?? [];
  assert.equal(connectRule?.host, `nb-connect.${f.namespace}.example.com`);
  assert.deepEqual(connectRule?.http?.paths[0]?.backend.service, { name: 'nb-driver-15002', port: { number: 15002 } });
  assert.deepEqual(connect.ing.metadata?.ownerReferences, owner);

  const jupyter = await exposed(f, 'nb', 8888);
  assert.equal(jupyter.svc.spec?.type, 'ClusterIP');
  assert.equal(jupyter.svc.spec?.ports?.[0]?.name, 'driver-ing-8888');
  const appId = running.status?.sparkApplicationId ?? (await getApp(f, 'nb')).status?.sparkApplicationId;
  assert.ok(appId, 'the driver pod told the Spark application id');
  const [jupyterRule] = jupyter.ing.spec?.rules ?? [];
  assert.equal(jupyterRule?.host, 'notebooks.example.com');
  assert.equal(jupyterRule?.http?.paths[0]?.path, `/${f.namespace}/${appId}(/|$)(.*)`);
  assert.equal(jupyter.ing.metadata?.annotations?.['nginx.ingress.kubernetes.io/rewrite-target'], '/$2');
  assert.equal(jupyter.ing.spec?.tls, undefined);
  // kubeflow records none of them in the status.
  const info = (await getApp(f, 'nb')).status?.driverInfo ?? {};
  assert.deepEqual(Object.keys(info), ['podName']);

  await runDriverTo(f, 'nb', 0);
  await waitState(f, 'nb', 'COMPLETED');
  for (const port of [15002, 8888]) {
    assert.ok(await getService(f, `nb-driver-${port}`), `Service of ${port} kept after completion`);
    assert.ok(await getIngress(f, `nb-ing-${port}`), `Ingress of ${port} kept after completion`);
  }

  await f.api.delete(await getApp(f, 'nb'), { propagationPolicy: 'Background' });
  const leftOver = async () =>
    (
      await Promise.all([
        getService(f, 'nb-driver-15002'),
        getService(f, 'nb-driver-8888'),
        getIngress(f, 'nb-ing-15002'),
        getIngress(f, 'nb-ing-8888'),
      ])
    ).filter((o) => o !== undefined);
  await eventually(
    'driver ingress objects gone with the application',
    async () => (await leftOver()).length === 0 || undefined,
    {
      timeoutMs: 30_000,
    },
  ).catch(async (err: unknown) => {
    // Say what was left and why the garbage collector kept it: its owners, and whether the driver pod is still there.
    const pod = await f.api.get(Pods, { namespace: f.namespace, name: 'nb-driver' }).catch(() => undefined);
    const left = (await leftOver()).map((o) => ({ name: o.metadata?.name, owners: o.metadata?.ownerReferences }));
    throw new Error(
      `${(err as Error).message}; left: ${JSON.stringify(left)}; driver pod: ${pod ? JSON.stringify({ uid: pod.metadata?.uid, deletionTimestamp: pod.metadata?.deletionTimestamp, finalizers: pod.metadata?.finalizers, owners: pod.metadata?.ownerReferences, phase: pod.status?.phase }) : 'gone'}`,
      { cause: err },
    );
  });
});

test('a rerun replaces them: the same names for the new driver, a changed port’s objects gone', async (t) => {
  const f = await fixture(t);
  await startOperator(t, f, { ui: DISABLED_UI });
  await createApp(f, minimalApp('rerun', { driverIngressOptions: [CONNECT, JUPYTER] }));
  await waitState(f, 'rerun', 'RUNNING');
  const before = await exposed(f, 'rerun', 8888);
  await exposed(f, 'rerun', 15002);
  const firstRun = (await getApp(f, 'rerun')).status?.submissionID;

  // A spec change replaces the run: 15002 becomes 15003, 8888 keeps its names.
  await f.api.patch(
    SparkApplications,
    { namespace: f.namespace, name: 'rerun' },
    mergePatch({ spec: { driverIngressOptions: [{ ...CONNECT, servicePort: 15003 }, JUPYTER] } }),
  );
  await eventually('a new run', async () => {
    const app = await getApp(f, 'rerun');
    return app.status?.submissionID !== firstRun && app.status?.applicationState?.state === 'RUNNING' ? app : undefined;
  });
  const after = await exposed(f, 'rerun', 8888);
  assert.notEqual(after.svc.metadata?.uid, before.svc.metadata?.uid, 'a new Service, not the old run’s');
  const pod = await f.api.get(Pods, { namespace: f.namespace, name: 'rerun-driver' });
  assert.equal(after.svc.metadata?.ownerReferences?.[0]?.uid, pod.metadata?.uid);
  assert.equal(after.ing.metadata?.ownerReferences?.[0]?.uid, pod.metadata?.uid);
  await exposed(f, 'rerun', 15003);
  await eventually(
    'the old port’s objects gone',
    async () =>
      ((await getService(f, 'rerun-driver-15002')) === undefined &&
        (await getIngress(f, 'rerun-ing-15002')) === undefined) ||
      undefined,
    { timeoutMs: 30_000 },
  );
});

test('an earlier run’s object of the same name is replaced; someone else’s is left alone, with a warning', async (t) => {
  const f = await fixture(t);
  const stale = await f.api.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'left-driver-8888',
      namespace: f.namespace,
      labels: {
        'sparkoperator.k8s.io/app-name': 'left',
        'sparkoperator.k8s.io/launched-by-spark-operator': 'true',
        'sparkoperator.k8s.io/submission-id': 'an-earlier-run',
      },
    },
    spec: { ports: [{ port: 8888 }] },
  } as V1Service & { metadata: { name: string } });
  const foreign = await f.api.create({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'left-ing-15002', namespace: f.namespace },
    spec: { defaultBackend: { service: { name: 'elsewhere', port: { number: 80 } } } },
  } as V1Ingress & { metadata: { name: string } });
  await startOperator(t, f, { ui: DISABLED_UI });
  await createApp(f, minimalApp('left', { driverIngressOptions: [CONNECT, JUPYTER] }));
  await waitState(f, 'left', 'RUNNING');
  const replaced = await exposed(f, 'left', 8888);
  assert.notEqual(replaced.svc.metadata?.uid, stale.metadata?.uid);
  await eventually('the Service of 15002', () => getService(f, 'left-driver-15002'));
  await eventually(
    'a warning',
    async () => (await eventReasons(f, 'left')).includes('SparkApplicationDriverIngressNameTaken') || undefined,
  );
  const kept = await getIngress(f, 'left-ing-15002');
  assert.equal(kept?.metadata?.uid, foreign.metadata?.uid);
  assert.equal(kept?.metadata?.labels, undefined);
});
