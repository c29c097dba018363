// sparkop's chart with kubeflow's chart values (the real helm binary): kubeflow's default values file as it is, a
// kubeflow user's typical overrides, and the values sparkop cannot honour, which fail naming the key. The rendered
// objects carry kubeflow's names, the operator parses the rendered args, and a server-side dry run accepts them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sharedPath } from '../../harness/shared.ts';
import { CHART_PATH, helm, type K8sObject, type RenderOptions, renderChart } from '../../src/deploy/helm.ts';
import { canonicalJson, KUBEFLOW_VALUES } from '../../src/deploy/kubeflow-values.ts';
import { checkOptions, serverAddresses } from '../../src/operator/config.ts';
import { type OperatorOptions, parseOperatorOptions } from '../../src/operator/options.ts';
import { kubectl, testNamespace } from '../support/kube.ts';

const KUBEFLOW_VALUES_FILE = sharedPath('reference', 'kubeflow-chart', 'values.yaml');
const RELEASE = { release: 'spark-operator', namespace: 'spark-operator' } as const;

interface Container {
  name: string;
  image: string;
  args: string[];
  env?: { name: string; value?: string }[];
  ports?: { name: string; containerPort: number }[];
  resources?: unknown;
  securityContext?: unknown;
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  serviceAccountName: string;
  containers: Container[];
  securityContext?: unknown;
  nodeSelector?: Record<string, string>;
  tolerations?: unknown[];
  imagePullSecrets?: { name: string }[];
  volumes?: { name: string; emptyDir?: { sizeLimit?: string } }[];
}
interface Deployment {
  metadata: { name: string; namespace: string };
  spec: { replicas: number; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

function deploymentOf(objects: readonly K8sObject[]): Deployment {
  const found = objects.filter((o) => o.kind === 'Deployment');
  assert.equal(found.length, 1, 'one Deployment');
  return found[0] as unknown as Deployment;
}

/** The operator's options from the rendered args, checked as the operator checks them at start. */
function optionsOf(deployment: Deployment): OperatorOptions {
  const { options, rest } = parseOperatorOptions(deployment.spec.template.spec.containers[0]!.args);
  assert.deepEqual(rest, []);
  checkOptions(options);
  serverAddresses(options);
  return options;
}

const names = (objects: readonly K8sObject[]) =>
  objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();

async function dryRunApply(yamlText: string): Promise<void> {
  const args = ['apply', '--server-side', '--dry-run=server', '--field-manager=sparkop-chart-test', '-f', '-'];
  const r = await kubectl(args, yamlText);
  assert.equal(r.code, 0, `server-side dry run rejected the chart:\n${r.out}`);
}

const TYPICAL_OVERRIDES = [
  'controller.workers=20',
  'controller.logLevel=debug',
  'controller.uiService.enable=false',
  'prometheus.metrics.port=9090',
  'controller.replicas=2',
  'controller.podDisruptionBudget.enable=true',
  'controller.batchScheduler.enable=true',
  'controller.batchScheduler.default=volcano',
  'controller.resources.requests.cpu=200m',
  'controller.resources.limits.memory=2Gi',
  'controller.nodeSelector.pool=system',
  'controller.tolerations[0].key=dedicated',
  'controller.tolerations[0].operator=Exists',
  'controller.kubeAPIQPS=50',
  'controller.env[0].name=EXTRA',
  'controller.env[0].value=extra',
  'image.registry=registry.example.com',
  'image.repository=sparkop',
  'image.tag=0.1.0',
  'image.pullSecrets[0].name=regcred',
  'spark.serviceAccount.annotations.team=data',
];

test("kubeflow's default values file renders with kubeflow's names and the operator takes its args", async () => {
  await helm(['lint', '--strict', CHART_PATH, '--values', KUBEFLOW_VALUES_FILE]);
  const { objects } = await renderChart({ ...RELEASE, valuesFiles: [KUBEFLOW_VALUES_FILE] });
  assert.deepEqual(names(objects), [
    'Deployment spark-operator/spark-operator-controller',
    'Role default/spark-operator-controller',
    'Role default/spark-operator-spark',
    'Role spark-operator/spark-operator-controller-leader-election',
    'RoleBinding default/spark-operator-controller',
    'RoleBinding default/spark-operator-spark',
    'RoleBinding spark-operator/spark-operator-controller-leader-election',
    'Service spark-operator/spark-operator-controller-metrics',
    'ServiceAccount default/spark-operator-spark',
    'ServiceAccount spark-operator/spark-operator-controller',
  ]);
  const deployment = deploymentOf(objects);
  const pod = deployment.spec.template.spec;
  assert.equal(pod.serviceAccountName, 'spark-operator-controller');
  // kubeflow's default image stands for sparkop's.
  assert.equal(pod.containers[0]!.image, 'sparkop:0.1.0');
  const o = optionsOf(deployment);
  // kubeflow's defaults, where they differ from sparkop's.
  assert.deepEqual(o.namespaces, ['default']);
  assert.equal(o.controllerThreads, 10);
  assert.equal(o.kubeApiQps, 20);
  assert.equal(o.kubeApiBurst, 30);
  assert.equal(o.workqueueRatelimiterBucketQps, 50);
  assert.equal(o.workqueueRatelimiterBucketSize, 500);
  assert.equal(o.workqueueRatelimiterMaxDelay, 6 * 3_600_000);
  assert.equal(o.leaderElection, true);
  assert.equal(o.logFormat, 'pretty');
  assert.equal(o.logLevel, 'info');
  assert.equal(o.enableUiService, true);
  assert.equal(o.ingressUrlFormat, '');
  assert.equal(o.enableBatchScheduler, false);
  assert.equal(o.metricsBindAddress, ':8080');
  assert.deepEqual(o.metricsJobStartLatencyBuckets, [30, 60, 90, 120, 150, 180, 210, 240, 270, 300]);
  assert.equal(o.installCrds, false);
  // kubeflow's pod settings: its /tmp volume replaces the chart's, its security contexts apply.
  assert.deepEqual(
    pod.volumes?.map((v) => [v.name, v.emptyDir?.sizeLimit]),
    [['tmp', '1Gi']],
  );
  assert.deepEqual(
    pod.containers[0]!.volumeMounts?.map((m) => m.mountPath),
    ['/tmp'],
  );
  assert.deepEqual(pod.securityContext, { fsGroup: 185 });
  // kubeflow's empty resources leave sparkop's.
  assert.ok(pod.containers[0]!.resources, 'resources');
  assert.ok(!objects.some((o) => o.metadata.name.includes('webhook')), 'no webhook object');
  assert.ok(!objects.some((o) => o.kind === 'PodDisruptionBudget'), "kubeflow's default: no PDB");

  // All namespaces: the ClusterRole and its binding carry the controller's name.
  const all = await renderChart({
    ...RELEASE,
    valuesFiles: [KUBEFLOW_VALUES_FILE],
    set: { 'spark.jobNamespaces': [''] },
  });
  assert.deepEqual(
    all.objects.filter((x) => x.kind.startsWith('Cluster')).map((x) => `${x.kind} ${x.metadata.name}`),
    ['ClusterRole spark-operator-controller', 'ClusterRoleBinding spark-operator-controller'],
  );
  assert.deepEqual(optionsOf(deploymentOf(all.objects)).namespaces, []);
});

test("sparkop's own defaults carry kubeflow's names", async () => {
  const { objects } = await renderChart(RELEASE);
  assert.deepEqual(names(objects), [
    'Deployment spark-operator/spark-operator-controller',
    'PodDisruptionBudget spark-operator/spark-operator-controller-pdb',
    'Role default/spark-operator-controller',
    'Role default/spark-operator-spark',
    'RoleBinding default/spark-operator-controller',
    'RoleBinding default/spark-operator-spark',
    'Service spark-operator/spark-operator-controller-metrics',
    'ServiceAccount default/spark-operator-spark',
    'ServiceAccount spark-operator/spark-operator-controller',
  ]);
  // Another release name: <release>-spark-operator-…, as kubeflow's helper names it.
  const other = names((await renderChart({ release: 'team-a', namespace: 'x' })).objects);
  assert.ok(other.includes('Deployment x/team-a-spark-operator-controller'));
  assert.ok(other.includes('ServiceAccount default/team-a-spark-operator-spark'));
  const renamed = names((await renderChart({ release: 'x', namespace: 'x', set: { nameOverride: 'spark' } })).objects);
  assert.ok(renamed.includes('Deployment x/x-spark-controller'));
});

test("a kubeflow user's typical overrides set the operator's flags and the pod", async () => {
  const options: RenderOptions = {
    ...RELEASE,
    valuesFiles: [KUBEFLOW_VALUES_FILE],
    setText: ['spark.jobNamespaces={ns1,ns2}', ...TYPICAL_OVERRIDES],
  };
  const { objects } = await renderChart(options);
  for (const ns of ['ns1', 'ns2']) {
    for (const kind of ['Role', 'RoleBinding'])
      assert.ok(names(objects).includes(`${kind} ${ns}/spark-operator-controller`), `${kind} in ${ns}`);
    for (const kind of ['ServiceAccount', 'Role', 'RoleBinding'])
      assert.ok(names(objects).includes(`${kind} ${ns}/spark-operator-spark`), `Spark ${kind} in ${ns}`);
  }
  const sparkAccount = objects.find((x) => x.kind === 'ServiceAccount' && x.metadata.namespace === 'ns1')!;
  assert.deepEqual(sparkAccount.metadata.annotations, { team: 'data' });
  const deployment = deploymentOf(objects);
  assert.equal(deployment.spec.replicas, 2);
  const o = optionsOf(deployment);
  assert.deepEqual(o.namespaces, ['ns1', 'ns2']);
  assert.equal(o.controllerThreads, 20);
  assert.equal(o.logLevel, 'debug');
  assert.equal(o.enableUiService, false);
  assert.equal(o.metricsBindAddress, ':9090');
  assert.equal(o.leaderElection, true);
  assert.equal(o.enableBatchScheduler, true);
  assert.equal(o.defaultBatchScheduler, 'volcano');
  assert.equal(o.kubeApiQps, 50);
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0]!;
  assert.equal(container.image, 'registry.example.com/sparkop:0.1.0');
  assert.deepEqual(pod.imagePullSecrets, [{ name: 'regcred' }]);
  assert.deepEqual(container.ports?.find((p) => p.name === 'metrics')?.containerPort, 9090);
  assert.deepEqual(container.resources, { requests: { cpu: '200m' }, limits: { memory: '2Gi' } });
  assert.deepEqual(pod.nodeSelector, { pool: 'system' });
  assert.deepEqual(pod.tolerations, [{ key: 'dedicated', operator: 'Exists' }]);
  assert.ok(container.env?.some((e) => e.name === 'EXTRA' && e.value === 'extra'));
  const pdb = objects.find((x) => x.kind === 'PodDisruptionBudget') as unknown as {
    metadata: { name: string };
    spec: { minAvailable: number };
  };
  assert.equal(pdb.metadata.name, 'spark-operator-controller-pdb');
  assert.equal(pdb.spec.minAvailable, 1);
});

test('a kubeflow key wins over the operator value only when it counts', async () => {
  const args = async (opts: RenderOptions) =>
    optionsOf(deploymentOf((await renderChart({ ...RELEASE, ...opts })).objects));
  assert.equal((await args({ set: { 'operator.controllerThreads': 5 } })).controllerThreads, 5);
  const withFile = { valuesFiles: [KUBEFLOW_VALUES_FILE] };
  assert.equal((await args({ ...withFile, set: { 'operator.controllerThreads': 5 } })).controllerThreads, 10);
  // Under a switch that is off (controller.uiIngress.enable: false) kubeflow's keys do not count, as in kubeflow.
  const ingress = await args({ ...withFile, set: { 'operator.ingressUrlFormat': '{{$appName}}.example.com' } });
  assert.equal(ingress.ingressUrlFormat, '{{$appName}}.example.com');
  const on = await args({
    ...withFile,
    setText: ['controller.uiIngress.enable=true'],
    set: {
      'controller.uiIngress.urlFormat': '{{$appName}}.spark.example.com',
      'controller.uiIngress.tls': [{ hosts: ['*.spark.example.com'], secretName: 'tls' }],
    },
  });
  assert.equal(on.ingressUrlFormat, '{{$appName}}.spark.example.com');
  assert.deepEqual(on.ingressTls, [{ hosts: ['*.spark.example.com'], secretName: 'tls' }]);
  // An empty kubeflow value does not count: sparkop's own stays.
  const empty = await args({ ...withFile, set: { 'operator.metricsLabels': ['team'] } });
  assert.deepEqual(empty.metricsLabels, ['team']);
  const labels = await args({ setText: ['prometheus.metrics.labels=team\\,env'] });
  assert.deepEqual(labels.metricsLabels, ['team', 'env']);
  const leader = await args({ ...withFile, set: { 'controller.leaderElection.enable': false } });
  assert.equal(leader.leaderElection, false);
  const selector = await args({
    setText: ['spark.jobNamespaceSelector=team=spark'],
    set: { 'spark.jobNamespaces': [] },
  });
  assert.equal(selector.namespaceSelector, 'team=spark');
  assert.deepEqual(selector.namespaces, []);
});

test("the chart with kubeflow's values passes a server-side dry run", async (t) => {
  const { namespace } = await testNamespace(t);
  const jobs = [(await testNamespace(t)).namespace, (await testNamespace(t)).namespace];
  for (const setText of [[], TYPICAL_OVERRIDES]) {
    const { text } = await renderChart({
      release: 'spark-operator',
      namespace,
      valuesFiles: [KUBEFLOW_VALUES_FILE],
      setText,
      set: { 'spark.jobNamespaces': jobs },
    });
    await dryRunApply(text);
  }
});

/** A value other than every one the chart accepts. */
function otherThan(accepted: readonly unknown[]): unknown {
  const v = accepted[0];
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'number') return v + 1;
  if (typeof v === 'string') return `${v}x`;
  if (Array.isArray(v)) return [{ name: 'x' }];
  if (v === null) return 'x';
  return { x: 'y' };
}

test('every kubeflow value sparkop cannot honour fails, naming the key; kubeflow defaults and accepted values render', async () => {
  const failing = KUBEFLOW_VALUES.filter((v) => v.only);
  assert.ok(failing.length > 50);
  for (const v of failing) {
    const value = otherThan(v.only!);
    await assert.rejects(
      renderChart({ ...RELEASE, valuesFiles: [KUBEFLOW_VALUES_FILE], set: { [v.key]: value } }),
      (err: Error) => err.message.includes(`${v.key}=${canonicalJson(value)} is not supported`),
      `${v.key}=${canonicalJson(value)} fails`,
    );
  }
  // As a user types them.
  for (const [set, message] of [
    ['webhook.port=9444', 'webhook.port=9444 is not supported: sparkop has no webhook'],
    ['certManager.enable=true', 'certManager.enable=true is not supported'],
    ['controller.logEncoder=text', 'controller.logEncoder=text is not supported'],
    ['image.tag=2.5.2', "image.repository=kubeflow/spark-operator/controller is kubeflow's controller image"],
    ['controller.uiIngress.enable=true', 'controller.uiIngress.enable=true needs controller.uiIngress.urlFormat'],
    ['spark.jobNamespaceSelector=team=spark', 'not both; set spark.jobNamespaces to []'],
    ['controller.podDisruptionBudget.enable=true', 'needs controller.replicas greater than 1'],
  ] as const) {
    await assert.rejects(
      renderChart({ ...RELEASE, valuesFiles: [KUBEFLOW_VALUES_FILE], setText: [set] }),
      (err: Error) => err.message.includes(message),
      set,
    );
  }
  // Accepted: any webhook.enable, and the precisions that mean sparkop's naming.
  for (const set of [
    'webhook.enable=false',
    'controller.scheduledSparkApplicationTimestampPrecision=seconds',
    'controller.featureGates=null',
  ]) {
    await renderChart({ ...RELEASE, valuesFiles: [KUBEFLOW_VALUES_FILE], setText: [set] });
  }
});
