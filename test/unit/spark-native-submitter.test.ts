// The native submitter against an in-memory client (pure logic: ordering, ownership, resubmission).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1ConfigMap, V1Pod, V1Service } from '@kubernetes/client-node';
import type { KubeObject } from '../../src/runtime/index.ts';
import { buildNativeSubmission } from '../../src/spark/builder.ts';
import { parseProperties } from '../../src/spark/properties.ts';
import { AlreadyExistsError, type SubmissionClient } from '../../src/spark/submit/contract.ts';
import { NativeSubmitter } from '../../src/spark/submit/native.ts';
import { SETTINGS, sparkPi } from './spark-fixtures.ts';

function memoryClient() {
  const objects = new Map<string, V1Pod | V1Service | V1ConfigMap>();
  const log: string[] = [];
  const create = async <T extends V1Pod | V1Service | V1ConfigMap>(kind: string, ns: string, o: T): Promise<T> => {
    const key = `${kind}/${ns}/${o.metadata?.name}`;
    if (objects.has(key)) throw new AlreadyExistsError(key);
    const stored = { ...o, metadata: { ...o.metadata, uid: `uid-${objects.size}` } };
    objects.set(key, stored);
    log.push(key);
    return stored;
  };
  const client: SubmissionClient = {
    createPod: (ns, o) => create('Pod', ns, o),
    readPod: async (ns, name) => {
      const pod = objects.get(`Pod/${ns}/${name}`);
      if (!pod) throw new Error('not found');
      return pod as V1Pod;
    },
    createService: (ns, o) => create('Service', ns, o),
    createConfigMap: (ns, o) => create('ConfigMap', ns, o),
  };
  return { client, objects, log };
}

test('creates the driver pod first, then its resources owned by it', async () => {
  const { client, objects, log } = memoryClient();
  const result = await new NativeSubmitter(client).submit(sparkPi(), SETTINGS);
  assert.equal(log[0], 'Pod/team-a/spark-pi-driver');
  assert.ok(log.length >= 3);
  for (const key of log.slice(1)) {
    assert.deepEqual(objects.get(key)?.metadata?.ownerReferences, [
      { apiVersion: 'v1', kind: 'Pod', name: 'spark-pi-driver', uid: 'uid-0', controller: true },
    ]);
  }
  const pod = objects.get(log[0]!) as V1Pod;
  assert.equal(pod.metadata?.ownerReferences?.[0]?.kind, 'SparkApplication');
  assert.equal(pod.spec?.enableServiceLinks, undefined, 'service links as spark-submit leaves them (on)');
  assert.equal(pod.metadata?.labels?.['sparkoperator.k8s.io/mutated-by-spark-operator'], 'true');
  assert.equal(result.alreadyExisted, false);
});

test('a resubmission of the same attempt adopts the existing driver and creates nothing twice', async () => {
  const { client, log } = memoryClient();
  const first = await new NativeSubmitter(client).submit(sparkPi(), SETTINGS);
  const count = log.length;
  const again = await new NativeSubmitter(client).submit(sparkPi(), SETTINGS);
  assert.equal(again.alreadyExisted, true);
  assert.equal(again.sparkApplicationId, first.sparkApplicationId);
  assert.equal(log.length, count);
});

test('a driver pod of another submission with the same name is an error, not an adoption', async () => {
  const { client } = memoryClient();
  await new NativeSubmitter(client).submit(sparkPi(), SETTINGS);
  await assert.rejects(
    new NativeSubmitter(client).submit(sparkPi(), {
      ...SETTINGS,
      submissionId: `${SETTINGS.submissionId}-next`,
      attempt: 2,
    }),
    /belongs to another submission/,
  );
});

test("spark.master is the API server's in-cluster address, and the driver's client uses Spark's in-cluster default", () => {
  // kubeflow passes the address its own process uses; for sparkop that may be a loopback or an external address
  // that pods cannot reach (the embedded mode's is https://127.0.0.1:<port>). docs/controller.md says why.
  const built = buildNativeSubmission(sparkPi(), SETTINGS);
  const conf = built.resources.find((r): r is V1ConfigMap & KubeObject => r.kind === 'ConfigMap');
  const properties = parseProperties(conf?.data?.['spark.properties'] ?? '');
  assert.equal(properties['spark.master'], 'k8s://https://kubernetes.default.svc:443');
  assert.equal(
    properties['spark.kubernetes.driver.master'],
    undefined,
    'Spark default: https://kubernetes.default.svc',
  );
});
