// The table of kubeflow's chart values (src/deploy/kubeflow-values.ts) against kubeflow's own values.yaml and README
// (the shared reference folder): every key has exactly one row, kubeflow's defaults are what the chart accepts, and
// a key that sets a flag gives, with kubeflow's default, a value the flag's parser takes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { sharedPath } from '../../harness/shared.ts';
import { chartFlags } from '../../src/deploy/chart.ts';
import { canonicalJson, KUBEFLOW_VALUES } from '../../src/deploy/kubeflow-values.ts';
import { OPERATOR_FLAGS } from '../../src/operator/options.ts';

const REFERENCE = sharedPath('reference', 'kubeflow-chart');
const kubeflowValues = parse(readFileSync(`${REFERENCE}/values.yaml`, 'utf8')) as Record<string, unknown>;

/** The keys of the Values table of kubeflow's README, in order. */
function readmeKeys(): string[] {
  const text = readFileSync(`${REFERENCE}/README.md`, 'utf8');
  const table = text.slice(text.indexOf('## Values'), text.indexOf('## Maintainers'));
  return [...table.matchAll(/^\| ([A-Za-z][\w.]*) \|/gm)].map((m) => m[1]!).filter((k) => k !== 'Key');
}

function at(values: Record<string, unknown>, key: string): { found: boolean; value?: unknown } {
  let cur: unknown = values;
  for (const part of key.split('.')) {
    if (cur === null || typeof cur !== 'object' || !(part in (cur as object))) return { found: false };
    cur = (cur as Record<string, unknown>)[part];
  }
  return { found: true, value: cur };
}

test("the table has one row per key of kubeflow's README, in its order", () => {
  const keys = readmeKeys();
  assert.ok(keys.length > 100, `read ${keys.length} keys from the README`);
  assert.deepEqual(
    KUBEFLOW_VALUES.map((v) => v.key),
    keys,
  );
});

test("every key is in kubeflow's values.yaml, and the chart accepts kubeflow's default of each", () => {
  for (const v of KUBEFLOW_VALUES) {
    const { found, value } = at(kubeflowValues, v.key);
    assert.ok(found, `${v.key} is in kubeflow's values.yaml`);
    if (v.only) {
      assert.ok(
        v.only.some((x) => canonicalJson(x) === canonicalJson(value)),
        `${v.key}: kubeflow's default ${canonicalJson(value)} is accepted`,
      );
      assert.ok(v.note && v.note.length > 20, `${v.key}: a failure says why`);
    }
    if (v.sparkop === 'not supported') assert.ok(v.only, `${v.key}: not supported, so the chart checks it`);
  }
});

test("a kubeflow key that sets a flag gives, with kubeflow's default, a value the flag's parser takes", () => {
  const keys = new Set(KUBEFLOW_VALUES.map((v) => v.key));
  const byFlag = new Map(chartFlags().map((f) => [f.flag, f]));
  for (const v of KUBEFLOW_VALUES) {
    if (!v.flag) continue;
    const flag = OPERATOR_FLAGS.find((f) => f.name === v.flag?.flag);
    assert.ok(flag, `${v.key}: --${v.flag.flag} is an operator flag`);
    assert.ok(byFlag.has(flag.name), `--${flag.name} has a chart value`);
    if (v.flag.when) assert.ok(keys.has(v.flag.when), `${v.key}: its switch ${v.flag.when} is a kubeflow key`);
    const value = at(kubeflowValues, v.key).value;
    // An empty value does not count: the flag keeps its own value.
    if (value === '' || (Array.isArray(value) && value.length === 0) || canonicalJson(value) === '{}') continue;
    const convert = v.flag.convert;
    const encoding = byFlag.get(flag.name)?.encoding;
    const text =
      convert === 'port'
        ? `:${String(value)}`
        : convert
          ? convert[String(value)]
          : encoding === 'json'
            ? JSON.stringify(value)
            : Array.isArray(value)
              ? value.join(',')
              : String(value);
    assert.ok(text !== undefined, `${v.key}: kubeflow's default ${String(value)} converts`);
    assert.doesNotThrow(() => (flag.parse as (t: string) => unknown)(text), `${v.key} → --${flag.name}=${text}`);
  }
  // One kubeflow key per flag at most.
  const flags = KUBEFLOW_VALUES.flatMap((v) => (v.flag ? [v.flag.flag] : []));
  assert.equal(new Set(flags).size, flags.length);
});

test('canonicalJson sorts object keys at every level, as Helm prints JSON', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: 'x', c: null }] }), '{"a":[{"c":null,"d":"x"}],"b":1}');
  assert.equal(canonicalJson('nanos'), '"nanos"');
});
