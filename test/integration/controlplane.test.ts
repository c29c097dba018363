// The local control plane is a real one: API server readiness and version, CRDs and custom objects with watches,
// garbage collection by kube-controller-manager, scheduling by kube-scheduler, RBAC, and pods driven by kwok.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  ApiextensionsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  RbacAuthorizationV1Api,
  type V1Pod,
  VersionApi,
  Watch,
} from '@kubernetes/client-node';
import { SIM_EXIT_CODE_ANNOTATION, SIM_RUN_DURATION_ANNOTATION } from '../../src/dev/localcluster/kwok.ts';
import { eventually, sharedCluster, testNamespace } from '../support/kube.ts';
import { widgetCrd, widgetGroup } from '../support/widget-crd.ts';

const KUBERNETES_VERSION = /KUBERNETES_VERSION=(\S+)/.exec(
  readFileSync(new URL('../../scripts/controlplane/versions.env', import.meta.url), 'utf8'),
)?.[1];

function httpCode(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? Number(err.code) : undefined;
}

describe('local control plane', () => {
  test('the API server is ready and reports the version it was built from', async () => {
    const { kc } = await sharedCluster();
    const readyz = await fetchText(kc, '/readyz?verbose');
    assert.match(readyz, /readyz check passed/);
    const version = await kc.makeApiClient(VersionApi).getCode();
    assert.equal(version.gitVersion, KUBERNETES_VERSION);
    assert.equal(`v${version.major}.${version.minor}`, KUBERNETES_VERSION?.split('.').slice(0, 2).join('.'));
  });

  test('a CRD can be installed; custom objects are validated, listed and watched', async (t) => {
    const { kc, namespace } = await testNamespace(t);
    const group = widgetGroup();
    const ext = kc.makeApiClient(ApiextensionsV1Api);
    const crd = widgetCrd(group);
    const crdName = crd.metadata.name;
    await ext.createCustomResourceDefinition({ body: crd });
    t.after(() => ext.deleteCustomResourceDefinition({ name: crdName }).catch(() => undefined));
    await eventually('CRD established', async () => {
      const crd = await ext.readCustomResourceDefinition({ name: crdName });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    });

    const custom = kc.makeApiClient(CustomObjectsApi);
    const ref = { group, version: 'v1', namespace, plural: 'widgets' };
    const initial = await eventually('the new resource is served', async () => {
      return (await custom.listNamespacedCustomObject(ref)) as { metadata: { resourceVersion: string } };
    });
    // Watching from the list's resourceVersion sees every later change, however late the watch connects.
    const events: string[] = [];
    const watch = await new Watch(kc).watch(
      `/apis/${group}/v1/namespaces/${namespace}/widgets`,
      { resourceVersion: initial.metadata.resourceVersion },
      (type: string, obj: { metadata?: { name?: string } }) => events.push(`${type} ${obj.metadata?.name}`),
      () => undefined,
    );
    t.after(() => watch.abort());

    await custom.createNamespacedCustomObject({
      ...ref,
      body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 } },
    });
    await custom.patchNamespacedCustomObject({
      ...ref,
      name: 'w1',
      body: [{ op: 'replace', path: '/spec/size', value: 4 }],
    });
    const rejected = await custom
      .createNamespacedCustomObject({
        ...ref,
        body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'bad' }, spec: { size: 0 } },
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    assert.equal(httpCode(rejected), 422, 'the schema rejects size 0');
    assert.match(String((rejected as { body?: unknown }).body), /spec\.size/);

    const list = (await custom.listNamespacedCustomObject(ref)) as { items: { spec: { size: number } }[] };
    assert.deepEqual(
      list.items.map((i) => i.spec.size),
      [4],
    );
    await custom.deleteNamespacedCustomObject({ ...ref, name: 'w1' });
    await eventually('watch events', async () => events.length >= 3, { timeoutMs: 10_000 });
    assert.deepEqual(events, ['ADDED w1', 'MODIFIED w1', 'DELETED w1']);
  });

  test('an owned ConfigMap is garbage collected when its owner is deleted', async (t) => {
    const { core, namespace } = await testNamespace(t);
    const owner = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'owner' } } });
    await core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: {
          name: 'owned',
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! }],
        },
        data: { k: 'v' },
      },
    });
    await core.deleteNamespacedConfigMap({ name: 'owner', namespace, propagationPolicy: 'Background' });
    await eventually(
      'the owned ConfigMap to be collected',
      async () => {
        try {
          await core.readNamespacedConfigMap({ name: 'owned', namespace });
          return false;
        } catch (err) {
          if (httpCode(err) === 404) return true;
          throw err;
        }
      },
      { timeoutMs: 60_000 },
    );
  });

  test('a pod is scheduled, runs with an IP, and is driven to Succeeded and to Failed', async (t) => {
    const { core, namespace } = await testNamespace(t);
    const pod = (name: string): V1Pod => ({
      metadata: { name },
      spec: {
        restartPolicy: 'Never',
        containers: [
          { name: 'main', image: 'example.com/app:1' },
          { name: 'sidecar', image: 'example.com/side:1' },
        ],
      },
    });
    await core.createNamespacedPod({ namespace, body: pod('ok') });
    await core.createNamespacedPod({ namespace, body: pod('bad') });
    for (const name of ['ok', 'bad']) {
      const running = await eventually(`${name} Running`, async () => {
        const p = await core.readNamespacedPod({ name, namespace });
        return p.status?.phase === 'Running' ? p : undefined;
      });
      assert.ok(running.spec?.nodeName?.startsWith('sim-node-'), 'scheduled onto a simulated node');
      assert.match(running.status?.podIP ?? '', /^10\.244\./);
      assert.deepEqual(
        running.status?.containerStatuses?.map((c) => [c.name, c.ready, Boolean(c.state?.running)]).sort(),
        [
          ['main', true, true],
          ['sidecar', true, true],
        ],
      );
    }
    // Pods stay Running until asked to end: once the simulator has ended 'bad', asked to, 'ok' (not asked) still runs.
    await annotate(core, namespace, 'bad', { [SIM_EXIT_CODE_ANNOTATION]: '137' });
    const failed = await eventually('bad Failed', async () => {
      const p = await core.readNamespacedPod({ name: 'bad', namespace });
      return p.status?.phase === 'Failed' ? p : undefined;
    });
    assert.equal((await core.readNamespacedPod({ name: 'ok', namespace })).status?.phase, 'Running');
    const main = failed.status?.containerStatuses?.find((c) => c.name === 'main');
    assert.equal(main?.state?.terminated?.exitCode, 137);
    assert.equal(main?.state?.terminated?.reason, 'Error');

    await annotate(core, namespace, 'ok', { [SIM_EXIT_CODE_ANNOTATION]: '0' });
    const succeeded = await eventually('ok Succeeded', async () => {
      const p = await core.readNamespacedPod({ name: 'ok', namespace });
      return p.status?.phase === 'Succeeded' ? p : undefined;
    });
    assert.deepEqual(
      succeeded.status?.containerStatuses?.map((c) => c.state?.terminated?.exitCode),
      [0, 0],
    );
  });

  test('a pod annotated with a run duration keeps running that long first', async (t) => {
    const { core, namespace } = await testNamespace(t);
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'timed' }, spec: { containers: [{ name: 'c', image: 'x' }], restartPolicy: 'Never' } },
    });
    await eventually(
      'Running',
      async () => (await core.readNamespacedPod({ name: 'timed', namespace })).status?.phase === 'Running',
    );
    const annotatedAt = Date.now();
    await annotate(core, namespace, 'timed', { [SIM_EXIT_CODE_ANNOTATION]: '0', [SIM_RUN_DURATION_ANNOTATION]: '3s' });
    await eventually(
      'Succeeded',
      async () => (await core.readNamespacedPod({ name: 'timed', namespace })).status?.phase === 'Succeeded',
      {
        intervalMs: 50,
      },
    );
    assert.ok(Date.now() - annotatedAt >= 2900, `ended after ${Date.now() - annotatedAt} ms, expected at least 3 s`);
  });

  test('CPU and memory do not limit the simulated nodes: 150 Spark-sized pods of 1 core each all run', async (t) => {
    // The shared cluster's two nodes once had 64 CPUs each: a burst of drivers in one test left the pods of
    // tests running beside it unschedulable. The pod count is the nodes' only limit now.
    const { core, namespace } = await testNamespace(t);
    const resources = { requests: { cpu: '1', memory: '1408Mi' }, limits: { memory: '1408Mi' } };
    const names = Array.from({ length: 150 }, (_, i) => `spark-sized-${i}`);
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(
        names.slice(i, i + 25).map((name) =>
          core.createNamespacedPod({
            namespace,
            body: { metadata: { name }, spec: { containers: [{ name: 'c', image: 'x', resources }] } },
          }),
        ),
      );
    }
    await eventually(
      'all 150 Running',
      async () => {
        const pods = await core.listNamespacedPod({ namespace });
        return pods.items.filter((p) => p.status?.phase === 'Running').length === names.length || undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  });

  test('a pod no node can take stays Pending, marked Unschedulable by the scheduler', async (t) => {
    const { core, namespace } = await testNamespace(t);
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'nowhere' },
        spec: { nodeSelector: { disk: 'nvme-that-no-node-has' }, containers: [{ name: 'c', image: 'x' }] },
      },
    });
    const condition = await eventually('PodScheduled=False', async () => {
      const p = await core.readNamespacedPod({ name: 'nowhere', namespace });
      return p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    });
    assert.equal(condition.reason, 'Unschedulable');
    assert.equal((await core.readNamespacedPod({ name: 'nowhere', namespace })).status?.phase, 'Pending');
  });

  test('RBAC is enforced for service-account tokens the API server signs', async (t) => {
    const { kc, core, namespace } = await testNamespace(t);
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'reader' } } });
    const token = await core.createNamespacedServiceAccountToken({
      name: 'reader',
      namespace,
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const asReader = new KubeConfig();
    asReader.loadFromOptions({
      clusters: [{ name: 'c', server: kc.getCurrentCluster()!.server, caData: kc.getCurrentCluster()!.caData }],
      users: [{ name: 'reader', token: token.status!.token }],
      contexts: [{ name: 'c', cluster: 'c', user: 'reader' }],
      currentContext: 'c',
    });
    const readerCore = asReader.makeApiClient(CoreV1Api);
    const denied = await readerCore.listNamespacedPod({ namespace }).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.equal(httpCode(denied), 403);

    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace,
      body: { metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'pod-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace }],
      },
    });
    await eventually('the role binding to take effect', async () => {
      await readerCore.listNamespacedPod({ namespace });
      return true;
    });
    const review = await kc.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
      body: {
        spec: {
          user: `system:serviceaccount:${namespace}:reader`,
          resourceAttributes: { namespace, verb: 'delete', resource: 'pods' },
        },
      },
    });
    assert.equal(review.status?.allowed, false, 'the role grants list, not delete');
  });
});

async function annotate(core: CoreV1Api, namespace: string, name: string, annotations: Record<string, string>) {
  const { setHeaderOptions, PatchStrategy } = await import('@kubernetes/client-node');
  await core.patchNamespacedPod(
    { name, namespace, body: { metadata: { annotations } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

async function fetchText(kc: KubeConfig, path: string): Promise<string> {
  const { request } = await import('node:https');
  const cluster = kc.getCurrentCluster()!;
  const opts: import('node:https').RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, cluster.server), opts, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
    req.end();
  });
}
