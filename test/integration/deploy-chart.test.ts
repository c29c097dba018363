// The Helm chart against the real control plane: helm lint, every rendered object accepted by a server-side dry
// run (default values; job namespaces with two replicas; all namespaces with every optional rule), the plain
// manifests current, and the chart's RBAC granting exactly what src/operator/rbac.ts says (SubjectAccessReviews as
// the operator's ServiceAccount).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { installCrds } from '../../src/api/install.ts';
import { CHART_PATH, helm, renderChart, templateArgs } from '../../src/deploy/helm.ts';
import { renderManifests } from '../../src/deploy/manifests.ts';
import { DRIVER_GRANTS, leaderElectionGrants, OPERATOR_NAMESPACED_GRANTS, rulesFor } from '../../src/operator/rbac.ts';
import { kubectl, sharedCluster, testNamespace } from '../support/kube.ts';

const root = resolve(fileURLToPath(import.meta.url), '../../..');

async function dryRunApply(yamlText: string): Promise<void> {
  const r = await kubectl(
    [
      'apply',
      '--server-side',
      '--dry-run=server',
      '--force-conflicts',
      '--field-manager=sparkop-chart-test',
      '-f',
      '-',
    ],
    yamlText,
  );
  assert.equal(r.code, 0, `server-side dry run rejected the chart:\n${r.out}`);
}

const rand = () => Math.random().toString(36).slice(2, 7);

test('helm lint passes with the default values and with job namespaces and two replicas', async () => {
  await helm(['lint', '--strict', CHART_PATH]);
  await helm([
    'lint',
    '--strict',
    CHART_PATH,
    '--set-json',
    'replicaCount=2',
    '--set-json',
    'spark.jobNamespaces=["a","b"]',
  ]);
  await helm(['lint', '--strict', CHART_PATH, '--set-json', 'spark.jobNamespaces=[]']);
});

test('the default chart (with its CRDs) passes a server-side dry run', async (t) => {
  const { namespace } = await testNamespace(t);
  const { text, objects } = await renderChart({
    release: `sp-${rand()}`,
    namespace,
    set: { 'spark.jobNamespaces': [namespace] },
    includeCrds: true,
  });
  const kinds = new Set(objects.map((o) => o.kind));
  for (const k of [
    'CustomResourceDefinition',
    'Deployment',
    'ServiceAccount',
    'Role',
    'RoleBinding',
    'Service',
    'PodDisruptionBudget',
  ]) {
    assert.ok(kinds.has(k), `renders a ${k}`);
  }
  assert.ok(!kinds.has('ClusterRole'), 'with job namespaces the operator gets Roles only');
  await dryRunApply(text);
});

test('job namespaces with two replicas: a Role per namespace, leader election on, dry run accepted', async (t) => {
  const { namespace } = await testNamespace(t);
  const jobs = [(await testNamespace(t)).namespace, (await testNamespace(t)).namespace];
  const release = `sp-${rand()}`;
  const { text, objects } = await renderChart({
    release,
    namespace,
    set: { replicaCount: 2, 'spark.jobNamespaces': jobs },
  });
  const roles = objects.filter((o) => o.kind === 'Role');
  for (const ns of jobs) {
    assert.ok(
      roles.some((r) => r.metadata.namespace === ns && r.metadata.name === `${release}-spark-operator-controller`),
      `operator Role in ${ns}`,
    );
    assert.ok(
      roles.some((r) => r.metadata.namespace === ns && r.metadata.name === `${release}-spark-operator-spark`),
      `driver Role in ${ns}`,
    );
    assert.ok(
      objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.namespace === ns),
      `driver SA in ${ns}`,
    );
  }
  assert.ok(roles.some((r) => r.metadata.namespace === namespace && r.metadata.name.endsWith('-leader-election')));
  const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as {
    spec: { replicas: number; template: { spec: { containers: { args: string[] }[] } } };
  };
  assert.equal(deployment.spec.replicas, 2);
  const args = deployment.spec.template.spec.containers[0]!.args;
  assert.ok(args.includes('--leader-election=true'));
  assert.ok(args.includes(`--namespaces=${jobs.join(',')}`));
  assert.ok(objects.some((o) => o.kind === 'PodDisruptionBudget'));
  await dryRunApply(text);
});

test('all namespaces with every optional rule: ClusterRoles, dry run accepted', async (t) => {
  const { namespace } = await testNamespace(t);
  const { text, objects } = await renderChart({
    release: `sp-${rand()}`,
    namespace,
    set: {
      'spark.jobNamespaces': [],
      replicaCount: 2,
      'operator.namespaceSelector': 'team=spark',
      'operator.enableBatchScheduler': true,
      'operator.ingressUrlFormat': '{{$appName}}.example.com',
      'operator.ingressTls': [{ hosts: ['*.example.com'], secretName: 'tls' }],
    },
  });
  const clusterRoles = objects.filter((o) => o.kind === 'ClusterRole');
  assert.equal(clusterRoles.length, 2, 'the namespaced rules and the cluster-scoped (namespaces) rule');
  const rules = clusterRoles.flatMap((r) => (r as unknown as { rules: { resources: string[] }[] }).rules);
  for (const res of ['podgroups', 'ingresses', 'namespaces'])
    assert.ok(
      rules.some((r) => r.resources.includes(res)),
      res,
    );
  assert.ok(
    !objects.some((o) => o.kind === 'Role' && o.metadata.name.endsWith('-controller')),
    'no per-namespace Roles',
  );
  await dryRunApply(text);
  // The ServiceMonitor is rendered on request (applying it needs the Prometheus Operator's CRDs, absent here).
  const withMonitor = await renderChart({ namespace, set: { 'metrics.serviceMonitor.enabled': true } });
  assert.ok(withMonitor.objects.some((o) => o.kind === 'ServiceMonitor'));
});

test('the plain manifests under config/ are current (run: bash scripts/manifests/render.sh)', async () => {
  for (const [path, content] of await renderManifests()) {
    assert.equal(readFileSync(join(root, path), 'utf8'), content, `${path} is stale`);
  }
});

test('the plain manifests pass a server-side dry run', async (t) => {
  // They install into the namespace "spark-operator"; a dry run does not create it, so they go to the test's namespace.
  const { namespace } = await testNamespace(t);
  const text = [
    'config/crd/sparkoperator.k8s.io_sparkapplications.yaml',
    'config/crd/sparkoperator.k8s.io_scheduledsparkapplications.yaml',
    'config/manager/manager.yaml',
    'config/rbac/rbac.yaml',
  ]
    .map((p) => readFileSync(join(root, p), 'utf8'))
    .join('\n---\n')
    .replaceAll(/^(\s+namespace): spark-operator$/gm, `$1: ${namespace}`);
  await dryRunApply(text);
});

test("the chart's RBAC grants the operator exactly its rules, where they belong", async (t) => {
  const { namespace } = await testNamespace(t);
  const job = (await testNamespace(t)).namespace;
  const other = (await testNamespace(t)).namespace;
  const release = `sp-${rand()}`;
  // kubectl auth can-i resolves resources through discovery: the CRDs must be served.
  await installCrds((await sharedCluster()).kc);
  const { objects, text } = await renderChart({
    release,
    namespace,
    set: { replicaCount: 2, 'spark.jobNamespaces': [job] },
  });
  const rbacText = text
    .split(/^---$/m)
    .filter((d) => /^kind: (Role|RoleBinding|ServiceAccount)$/m.test(d))
    .join('\n---\n');
  const applied = await kubectl(['apply', '--server-side', '--field-manager=sparkop-chart-test', '-f', '-'], rbacText);
  assert.equal(applied.code, 0, applied.out);
  assert.ok(objects.length > 0);
  const as = (sa: string, ns: string) => `--as=system:serviceaccount:${ns}:${sa}`;
  const can = async (who: string, verb: string, resource: string, ns: string, sub?: string) => {
    const args = ['auth', 'can-i', who, verb, resource, '-n', ns, ...(sub ? [`--subresource=${sub}`] : [])];
    return (await kubectl(args)).code === 0;
  };
  const operator = as(`${release}-spark-operator-controller`, namespace);
  const values = { enableBatchScheduler: false, namespaceSelector: '' };
  for (const rule of rulesFor(OPERATOR_NAMESPACED_GRANTS, values)) {
    for (const [group, res, verb] of rule.apiGroups.flatMap((g) =>
      rule.resources.flatMap((r) => rule.verbs.map((v) => [g, r, v] as const)),
    )) {
      const [base, sub] = res.split('/');
      const resource = group ? `${base}.${group}` : base!;
      assert.ok(await can(operator, verb, resource, job, sub), `operator may ${verb} ${res} in the job namespace`);
      assert.ok(!(await can(operator, verb, resource, other, sub)), `operator may not ${verb} ${res} elsewhere`);
    }
  }
  for (const rule of rulesFor(leaderElectionGrants('sparkop-lock'), values)) {
    for (const verb of rule.verbs) {
      const resource = rule.resourceNames
        ? `leases.coordination.k8s.io/${rule.resourceNames[0]}`
        : 'leases.coordination.k8s.io';
      assert.ok(await can(operator, verb, resource, namespace), `operator may ${verb} ${resource}`);
    }
  }
  assert.ok(!(await can(operator, 'update', 'leases.coordination.k8s.io/another-lock', namespace)));
  assert.ok(!(await can(operator, 'get', 'secrets', job)), 'no secrets');
  assert.ok(await can(operator, 'create', 'ingresses.networking.k8s.io', job), 'ingresses: driverIngressOptions');
  assert.ok(!(await can(operator, 'create', 'podgroups.scheduling.volcano.sh', job)), 'no podgroups unless configured');
  assert.ok(!(await can(operator, 'list', 'customresourcedefinitions.apiextensions.k8s.io', job)), 'no CRDs');
  assert.ok(!(await can(operator, 'update', 'pods', job)), 'pods: no update');
  const driver = as(`${release}-spark-operator-spark`, job);
  for (const verb of DRIVER_GRANTS[0]!.rule.verbs) {
    for (const res of DRIVER_GRANTS[0]!.rule.resources)
      assert.ok(await can(driver, verb, res, job), `driver may ${verb} ${res}`);
  }
  assert.ok(!(await can(driver, 'get', 'secrets', job)));
  assert.ok(!(await can(driver, 'create', 'pods', other)));
  // Template args stay in sync with the helper used here.
  assert.deepEqual(templateArgs({ release: 'x', namespace: 'y' }).slice(0, 3), ['template', 'x', CHART_PATH]);
});

test("no client-side rate limit by default; kubeflow's controller.kubeAPIQPS / kubeAPIBurst set one", async () => {
  const argsOf = async (set: Readonly<Record<string, unknown>>) => {
    const { objects } = await renderChart({ set });
    const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: { args: string[] }[] } } };
    };
    return deployment.spec.template.spec.containers[0]!.args.filter((a) => a.startsWith('--kube-api-'));
  };
  assert.deepEqual(await argsOf({}), ['--kube-api-qps=0', '--kube-api-burst=30']);
  assert.deepEqual(await argsOf({ controller: { kubeAPIQPS: 20, kubeAPIBurst: 40 } }), [
    '--kube-api-qps=20',
    '--kube-api-burst=40',
  ]);
  assert.deepEqual(await argsOf({ 'operator.kubeApiQps': 2.5, 'operator.kubeApiBurst': 5 }), [
    '--kube-api-qps=2.5',
    '--kube-api-burst=5',
  ]);
  assert.deepEqual(await argsOf({ 'operator.kubeApiQps': 50, 'controller.kubeAPIQPS': -1 }), [
    '--kube-api-qps=-1',
    '--kube-api-burst=30',
  ]);
});
