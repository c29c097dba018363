// The chart's generated parts are current, every operator flag has a value (or a fixed, explained setting), the
// chart ships exactly the generated CRDs, and the RBAC source is well-formed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { allCrds } from '../../src/api/index.ts';
import { chartFlags, FIXED } from '../../src/deploy/chart.ts';
import { CHART_DIR, expectedChartFiles } from '../../src/deploy/chart-files.ts';
import { OPERATOR_FLAGS } from '../../src/operator/options.ts';
import {
  DRIVER_GRANTS,
  type Grant,
  leaderElectionGrants,
  OPERATOR_CLUSTER_GRANTS,
  OPERATOR_NAMESPACED_GRANTS,
  rulesFor,
} from '../../src/operator/rbac.ts';

const root = resolve(fileURLToPath(import.meta.url), '../../..');

test('the generated chart files are current (run: node scripts/helm/generate-chart.ts)', () => {
  for (const [path, expected] of expectedChartFiles(root)) {
    assert.equal(readFileSync(join(root, path), 'utf8'), expected, `${path} is stale`);
  }
});

test('every operator flag has a chart value or a fixed setting, never both', () => {
  const valued = new Set(chartFlags().map((f) => f.flag));
  for (const f of OPERATOR_FLAGS) {
    assert.ok(valued.has(f.name) !== f.name in FIXED, `--${f.name}: needs exactly one of a value or FIXED`);
  }
  for (const name of Object.keys(FIXED))
    assert.ok(
      OPERATOR_FLAGS.some((f) => f.name === name),
      `FIXED --${name}`,
    );
});

test("values.yaml holds each flag's default under operator.<camelCase>, parsed back by the flag's parser", () => {
  const values = parse(readFileSync(join(root, CHART_DIR, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const operator = values.operator as Record<string, unknown>;
  for (const f of chartFlags()) {
    if (!f.valuesPath.startsWith('operator.')) continue;
    const key = f.valuesPath.slice('operator.'.length);
    assert.deepEqual(operator[key], f.value, f.flag);
    const flag = OPERATOR_FLAGS.find((x) => x.name === f.flag)!;
    // What the chart passes on the command line parses to the flag's default.
    const text =
      f.encoding === 'list'
        ? (f.value as unknown[]).join(',')
        : f.encoding === 'json'
          ? JSON.stringify(f.value)
          : String(f.value);
    assert.deepEqual((flag.parse as (t: string) => unknown)(text), flag.default, `--${f.flag}=${text}`);
  }
  assert.deepEqual((values.spark as { jobNamespaces: unknown }).jobNamespaces, ['default']);
});

test('the chart ships exactly the generated CRDs', () => {
  const files = readdirSync(join(root, CHART_DIR, 'crds')).sort();
  assert.deepEqual(files, readdirSync(join(root, 'config/crd')).sort());
  for (const name of files) {
    assert.equal(
      readFileSync(join(root, CHART_DIR, 'crds', name), 'utf8'),
      readFileSync(join(root, 'config/crd', name), 'utf8'),
      name,
    );
  }
  const shipped = files.map((n) => parse(readFileSync(join(root, CHART_DIR, 'crds', n), 'utf8')) as unknown);
  const generated = allCrds().map((c) => JSON.parse(JSON.stringify(c)) as unknown);
  const byName = (xs: unknown[]) =>
    [...xs].sort((a, b) =>
      String((a as { metadata: { name: string } }).metadata.name).localeCompare(
        (b as { metadata: { name: string } }).metadata.name,
      ),
    );
  assert.deepEqual(byName(shipped), byName(generated), 'config/crd is stale: npm run generate');
});

const ALL_GRANTS: readonly Grant[] = [
  ...OPERATOR_NAMESPACED_GRANTS,
  ...OPERATOR_CLUSTER_GRANTS,
  ...leaderElectionGrants('lock'),
  ...DRIVER_GRANTS,
];
const VERBS = new Set(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection']);

test('every RBAC rule names the code that needs it, and no rule uses a wildcard or an escalating verb', () => {
  for (const g of ALL_GRANTS) {
    assert.ok(g.why.length > 20, `${JSON.stringify(g.rule)} needs a reason`);
    for (const list of [g.rule.apiGroups, g.rule.resources, g.rule.verbs]) assert.ok(!list.includes('*'));
    for (const v of g.rule.verbs) assert.ok(VERBS.has(v), `verb ${v}`);
  }
  const everything = rulesFor(OPERATOR_NAMESPACED_GRANTS, {
    enableBatchScheduler: true,
    namespaceSelector: 'a=b',
  });
  assert.ok(!everything.some((r) => r.resources.includes('secrets')), 'the operator never reads secrets');
});

test('conditional rules follow the values', () => {
  const off = { enableBatchScheduler: false, namespaceSelector: '' };
  const resources = (v: typeof off) => rulesFor(OPERATOR_NAMESPACED_GRANTS, v).flatMap((r) => r.resources);
  assert.ok(!resources(off).includes('podgroups'));
  assert.ok(resources(off).includes('ingresses'), 'always: any application may set spec.driverIngressOptions');
  assert.ok(resources({ ...off, enableBatchScheduler: true }).includes('podgroups'));
  assert.equal(rulesFor(OPERATOR_CLUSTER_GRANTS, off).length, 0);
  assert.equal(rulesFor(OPERATOR_CLUSTER_GRANTS, { ...off, namespaceSelector: 'team=spark' }).length, 1);
});
