// Every CEL rule in the generated CRDs has its TypeScript twin, and the in-process validator uses them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allCrds, validateSparkApplication } from '../../src/api/index.ts';
import { RULES_BY_CEL } from '../../src/api/schema/rules.ts';

function celRulesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) celRulesIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'x-kubernetes-validations') for (const r of v as { rule: string }[]) out.push(r.rule);
      else celRulesIn(v, out);
    }
  }
  return out;
}

test('each CEL rule of the CRDs has a TypeScript predicate', () => {
  const rules = new Set(allCrds().flatMap((crd) => celRulesIn(crd)));
  assert.ok(rules.size >= 10, `${rules.size} rules`);
  for (const rule of rules) assert.ok(RULES_BY_CEL.has(rule), `no predicate for ${rule}`);
});

test('the validator reports cross-field violations at the field, and only on enabled dynamic allocation', () => {
  const base = {
    metadata: { name: 'pi' },
    spec: { type: 'Scala', sparkVersion: '4', mainApplicationFile: 'f', driver: {}, executor: {} },
  };
  const da = (enabled: boolean) => ({
    ...base,
    spec: { ...base.spec, dynamicAllocation: { enabled, minExecutors: 4, initialExecutors: 2, maxExecutors: 3 } },
  });
  assert.deepEqual(
    validateSparkApplication(da(true)).map((i) => i.path),
    ['spec.dynamicAllocation.minExecutors', 'spec.dynamicAllocation.initialExecutors'],
  );
  assert.deepEqual(validateSparkApplication(da(false)), []);
  assert.deepEqual(validateSparkApplication(base), []);
});
