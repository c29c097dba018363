// Our CRDs in the real API server: kubeflow's example manifests are accepted, a table of invalid manifests is
// rejected naming the offending field, and the in-process validator reaches the same verdicts.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { sharedPath } from '../../harness/shared.ts';
import {
  API_GROUP,
  API_VERSION,
  installCrds,
  SCHEDULED_SPARK_APPLICATION_PLURAL,
  SPARK_APPLICATION_PLURAL,
  validateScheduledSparkApplication,
  validateSparkApplication,
} from '../../src/api/index.ts';
import { sharedCluster, testNamespace } from '../support/kube.ts';

type Manifest = Record<string, unknown> & { kind?: string; metadata?: Record<string, unknown> };

function examplesDir(): string {
  const dir = sharedPath('examples', 'kubeflow');
  if (!existsSync(dir))
    throw new Error(`kubeflow examples not found at ${dir} (expected ../shared beside the repository)`);
  return dir;
}

function exampleManifests(): { file: string; manifest: Manifest }[] {
  const dir = examplesDir();
  const out: { file: string; manifest: Manifest }[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const manifest = doc.toJS() as Manifest | null;
      if (manifest?.kind === 'SparkApplication' || manifest?.kind === 'ScheduledSparkApplication') {
        out.push({ file, manifest });
      }
    }
  }
  return out;
}

/** This example keeps `{IMAGE_REGISTRY}/…` placeholders unquoted, which YAML reads as a mapping, not a string. */
const PLACEHOLDER_EXAMPLES: Record<string, string> = { 'spark-pi-prometheus.yaml': 'spec.image' };

/** Server-side dry-run create with strict field validation (kubectl's default); the error message, or undefined. */
async function serverVerdict(
  api: CustomObjectsApi,
  namespace: string,
  manifest: Manifest,
): Promise<string | undefined> {
  const plural = manifest.kind === 'SparkApplication' ? SPARK_APPLICATION_PLURAL : SCHEDULED_SPARK_APPLICATION_PLURAL;
  const body = { ...manifest, metadata: { ...manifest.metadata, namespace } };
  try {
    await api.createNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      namespace,
      plural,
      body,
      dryRun: 'All',
      fieldValidation: 'Strict',
    });
    return undefined;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const status = typeof err.body === 'string' ? (JSON.parse(err.body) as { message?: string }) : undefined;
    return status?.message ?? String(err.body);
  }
}

function localVerdict(manifest: Manifest) {
  return manifest.kind === 'SparkApplication'
    ? validateSparkApplication(manifest)
    : validateScheduledSparkApplication(manifest);
}

function validApp(): Manifest {
  return {
    apiVersion: `${API_GROUP}/${API_VERSION}`,
    kind: 'SparkApplication',
    metadata: { name: 'pi' },
    spec: {
      type: 'Scala',
      mode: 'cluster',
      image: 'spark:4.0.4',
      mainClass: 'org.apache.spark.examples.SparkPi',
      mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
      sparkVersion: '4.0.4',
      driver: { cores: 1, memory: '512m' },
      executor: { instances: 1, cores: 1, memory: '512m' },
    },
  };
}

/** A valid application changed by `edit` (which receives the spec). */
function appWith(edit: (spec: Record<string, unknown>, app: Manifest) => void): Manifest {
  const app = validApp();
  edit(app.spec as Record<string, unknown>, app);
  return app;
}

const INVALID: { name: string; manifest: Manifest; path: string }[] = [
  { name: 'unknown type', manifest: appWith((s) => (s.type = 'Go')), path: 'spec.type' },
  { name: 'unknown mode', manifest: appWith((s) => (s.mode = 'local')), path: 'spec.mode' },
  { name: 'python version 4', manifest: appWith((s) => (s.pythonVersion = '4')), path: 'spec.pythonVersion' },
  {
    name: 'cores as a string',
    manifest: appWith((s) => ((s.driver as Manifest).cores = 'one')),
    path: 'spec.driver.cores',
  },
  { name: 'zero cores', manifest: appWith((s) => ((s.executor as Manifest).cores = 0)), path: 'spec.executor.cores' },
  {
    name: 'zero instances',
    manifest: appWith((s) => ((s.executor as Manifest).instances = 0)),
    path: 'spec.executor.instances',
  },
  { name: 'arguments not a list', manifest: appWith((s) => (s.arguments = 'a b')), path: 'spec.arguments' },
  {
    name: 'sparkConf value a number',
    manifest: appWith((s) => (s.sparkConf = { 'spark.x': 1 })),
    path: 'spec.sparkConf.spark.x',
  },
  {
    name: 'missing mainApplicationFile',
    manifest: appWith((s) => delete s.mainApplicationFile),
    path: 'spec.mainApplicationFile',
  },
  { name: 'missing driver', manifest: appWith((s) => delete s.driver), path: 'spec.driver' },
  {
    name: 'unknown field',
    manifest: appWith((s) => ((s.driver as Manifest).coresLimit = '1')),
    path: 'spec.driver.coresLimit',
  },
  {
    name: 'restart policy type unknown',
    manifest: appWith((s) => (s.restartPolicy = { type: 'Sometimes' })),
    path: 'spec.restartPolicy.type',
  },
  {
    name: 'negative retries',
    manifest: appWith((s) => (s.restartPolicy = { type: 'OnFailure', onFailureRetries: -1 })),
    path: 'spec.restartPolicy.onFailureRetries',
  },
  {
    name: 'retries with policy Never',
    manifest: appWith((s) => (s.restartPolicy = { type: 'Never', onFailureRetries: 3 })),
    path: 'spec.restartPolicy.onFailureRetries',
  },
  {
    name: 'retry interval without a policy type',
    manifest: appWith((s) => (s.restartPolicy = { onSubmissionFailureRetryInterval: 10 })),
    path: 'spec.restartPolicy.onSubmissionFailureRetryInterval',
  },
  {
    name: 'dynamic allocation min > max',
    manifest: appWith((s) => (s.dynamicAllocation = { enabled: true, minExecutors: 5, maxExecutors: 2 })),
    path: 'spec.dynamicAllocation.minExecutors',
  },
  {
    name: 'dynamic allocation initial > max',
    manifest: appWith((s) => (s.dynamicAllocation = { enabled: true, initialExecutors: 9, maxExecutors: 4 })),
    path: 'spec.dynamicAllocation.initialExecutors',
  },
  {
    name: 'dynamic allocation initial < min',
    manifest: appWith((s) => (s.dynamicAllocation = { enabled: true, minExecutors: 3, initialExecutors: 1 })),
    path: 'spec.dynamicAllocation.initialExecutors',
  },
  {
    name: 'dynamic allocation negative min',
    manifest: appWith((s) => (s.dynamicAllocation = { enabled: true, minExecutors: -1 })),
    path: 'spec.dynamicAllocation.minExecutors',
  },
  {
    name: 'executor instances above maxExecutors',
    manifest: appWith((s) => {
      s.dynamicAllocation = { enabled: true, maxExecutors: 2 };
      (s.executor as Manifest).instances = 3;
    }),
    path: 'spec.executor.instances',
  },
  {
    name: 'node selector on app and driver',
    manifest: appWith((s) => {
      s.nodeSelector = { a: 'b' };
      (s.driver as Manifest).nodeSelector = { c: 'd' };
    }),
    path: 'spec.nodeSelector',
  },
  {
    name: 'prometheus port out of range',
    manifest: appWith(
      (s) =>
        (s.monitoring = {
          exposeDriverMetrics: true,
          exposeExecutorMetrics: true,
          prometheus: { jmxExporterJar: '/j.jar', port: 80 },
        }),
    ),
    path: 'spec.monitoring.prometheus.port',
  },
  {
    name: 'toleration seconds as a string (embedded core type)',
    manifest: appWith((s) => ((s.driver as Manifest).tolerations = [{ key: 'k', tolerationSeconds: 'ten' }])),
    path: 'spec.driver.tolerations[0].tolerationSeconds',
  },
  {
    name: 'volume without a name (embedded core type)',
    manifest: appWith((s) => (s.volumes = [{ emptyDir: {} }])),
    path: 'spec.volumes[0].name',
  },
  {
    name: 'name not a DNS-1035 label',
    manifest: appWith((_s, app) => (app.metadata = { name: '1-pi' })),
    path: 'metadata.name',
  },
  {
    name: 'scheduled: missing schedule',
    manifest: {
      apiVersion: `${API_GROUP}/${API_VERSION}`,
      kind: 'ScheduledSparkApplication',
      metadata: { name: 's' },
      spec: { template: validApp().spec },
    },
    path: 'spec.schedule',
  },
  {
    name: 'scheduled: template rule applies',
    manifest: {
      apiVersion: `${API_GROUP}/${API_VERSION}`,
      kind: 'ScheduledSparkApplication',
      metadata: { name: 's' },
      spec: {
        schedule: '@every 1m',
        template: { ...(validApp().spec as object), restartPolicy: { onFailureRetries: 1 } },
      },
    },
    path: 'spec.template.restartPolicy.onFailureRetries',
  },
];

before(async () => {
  const cluster = await sharedCluster();
  await installCrds(cluster.kc);
});

test('every kubeflow example is accepted by the API server and by the in-process validator', async (t) => {
  const ns = await testNamespace(t);
  const api = ns.kc.makeApiClient(CustomObjectsApi);
  const examples = exampleManifests();
  assert.ok(examples.length >= 10, `only ${examples.length} examples found`);
  for (const { file, manifest } of examples) {
    const server = await serverVerdict(api, ns.namespace, manifest);
    const local = localVerdict(manifest);
    const placeholder = PLACEHOLDER_EXAMPLES[file];
    if (placeholder) {
      assert.match(server ?? '', new RegExp(placeholder.replaceAll('.', '\\.')), `${file}: server accepted it`);
      assert.deepEqual(
        local.map((i) => i.path),
        [placeholder],
        file,
      );
    } else {
      assert.equal(server, undefined, `${file}: ${server}`);
      assert.deepEqual(local, [], file);
    }
  }
});

test('invalid manifests are rejected by the API server and the in-process validator, naming the field', async (t) => {
  const ns = await testNamespace(t);
  const api = ns.kc.makeApiClient(CustomObjectsApi);
  assert.equal(await serverVerdict(api, ns.namespace, validApp()), undefined, 'the base manifest must be valid');
  for (const { name, manifest, path } of INVALID) {
    const server = await serverVerdict(api, ns.namespace, manifest);
    assert.ok(server, `${name}: the API server accepted it`);
    assert.ok(server.includes(path), `${name}: API server message does not name ${path}: ${server}`);
    const local = localVerdict(manifest);
    assert.ok(
      local.some((i) => i.path === path),
      `${name}: in-process validator gave ${JSON.stringify(local)}, expected an issue at ${path}`,
    );
  }
});

test('a created application shows kubeflow printer columns and the status subresource works', async (t) => {
  const ns = await testNamespace(t);
  const api = ns.kc.makeApiClient(CustomObjectsApi);
  const created = (await api.createNamespacedCustomObject({
    group: API_GROUP,
    version: API_VERSION,
    namespace: ns.namespace,
    plural: SPARK_APPLICATION_PLURAL,
    body: validApp(),
  })) as Manifest;
  const status = { driverInfo: {}, applicationState: { state: 'RUNNING' }, executionAttempts: 1 };
  const patched = (await api.replaceNamespacedCustomObjectStatus({
    group: API_GROUP,
    version: API_VERSION,
    namespace: ns.namespace,
    plural: SPARK_APPLICATION_PLURAL,
    name: 'pi',
    body: { ...created, status },
  })) as Manifest;
  assert.deepEqual(patched.status, status);
});
