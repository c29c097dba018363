// The generated CRDs: committed YAML up to date, deterministic, and field for field the kubeflow reference schema
// except for the differences listed below on purpose.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { sharedPath } from '../../harness/shared.ts';
import type { JsonSchema } from '../../src/api/crd/refs.ts';
import { schemaDifferences } from '../../src/api/crd/schema-diff.ts';
import { allCrds, type CrdManifest, crdFiles } from '../../src/api/index.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** kubeflow's CRDs live in the shared folder beside the repository (a copy in CI). */
function referenceCrd(fileName: string): CrdManifest {
  const dir = sharedPath('reference', 'kubeflow-crds');
  if (!existsSync(dir))
    throw new Error(`kubeflow reference CRDs not found at ${dir} (expected ../shared beside the repository)`);
  return parse(readFileSync(join(dir, fileName), 'utf8')) as CrdManifest;
}

/** The schema of a nested property. */
function at(schema: JsonSchema, ...names: string[]): JsonSchema {
  let node = schema;
  for (const name of names) {
    const next = (node.properties as Record<string, JsonSchema> | undefined)?.[name];
    assert.ok(next, `no property ${name}`);
    node = next;
  }
  return node;
}

function schemaOf(crd: CrdManifest): JsonSchema {
  const schema = crd.spec.versions[0]?.schema.openAPIV3Schema;
  assert.ok(schema, `${crd.metadata.name} has no schema`);
  return schema;
}

/**
 * Every difference from kubeflow's schema that we make on purpose: the cross-field rules its webhook checks (and the
 * dynamic-allocation / restart-policy rules of our issue), as CEL so the API server enforces them without a webhook.
 * Documented in docs/api.md. Paths are given for SparkApplication; the scheduled kind has them under .spec.template.
 */
const DELIBERATE: Record<string, string> = {
  '. x-kubernetes-validations': 'metadata.name must be a DNS-1035 label (kubeflow webhook)',
  '.spec x-kubernetes-validations': 'nodeSelector on app xor driver/executor; executor.instances ≤ maxExecutors',
  '.spec.dynamicAllocation x-kubernetes-validations': 'min ≥ 0, max > 0, min ≤ initial ≤ max when enabled',
  '.spec.restartPolicy x-kubernetes-validations': 'retry counts and intervals only with OnFailure or Always',
  '.spec.driverIngressOptions[] x-kubernetes-validations': 'ingressURLFormat required (kubeflow webhook)',
};

/**
 * SparkConnect's deliberate differences: the name rule (Spark's executor pod name prefix), the dynamic-allocation
 * rules of SparkApplication, and two status fields of kubeflow's later v1alpha1 API. Documented in docs/sparkconnect.md.
 */
const DELIBERATE_SPARK_CONNECT: Record<string, string> = {
  '. x-kubernetes-validations': 'metadata.name: a DNS-1035 label of at most 47 characters (executor pod prefix)',
  '.spec x-kubernetes-validations': 'executor.instances ≤ maxExecutors',
  '.spec.dynamicAllocation x-kubernetes-validations': 'min ≥ 0, max > 0, min ≤ initial ≤ max when enabled',
  '.status.restartAttempts field': 'servers started again after one died (kubeflow adds it later)',
  '.status.lastRestartTime field': 'when a server was last started again (kubeflow adds it later)',
};

for (const ours of allCrds()) {
  const plural = ours.spec.names.plural;
  const scheduled = plural === 'scheduledsparkapplications';
  const deliberate = plural === 'sparkconnects' ? DELIBERATE_SPARK_CONNECT : DELIBERATE;

  test(`${plural}: schema matches kubeflow's except the deliberate differences`, () => {
    const reference = referenceCrd(`${ours.spec.group}_${plural}.yaml`);
    const found = schemaDifferences(schemaOf(ours), schemaOf(reference)).map((d) => {
      const path = scheduled ? d.path.replace(/^\.spec\.template/, '.spec') : d.path;
      return { key: `${path} ${d.keyword}`, d };
    });
    // A deliberate difference is something we add: a keyword or a field kubeflow's schema does not have.
    const added = (f: (typeof found)[number]) =>
      f.d.keyword === 'field' ? f.d.ours === 'present' && f.d.theirs === 'absent' : f.d.theirs === undefined;
    const unexpected = found.filter((f) => !(f.key in deliberate) || !added(f));
    assert.deepEqual(
      unexpected.map(
        (f) => `${f.d.path} ${f.d.keyword}: ours ${JSON.stringify(f.d.ours)} vs kubeflow ${JSON.stringify(f.d.theirs)}`,
      ),
      [],
    );
    // The scheduled kind carries the app-level rules only where they apply: its template is a spec, not an object.
    const expected = Object.keys(deliberate).filter((k) => !(scheduled && k.startsWith('. ')));
    assert.deepEqual(found.map((f) => f.key).sort(), expected.sort());
  });

  test(`${plural}: names, scope, printer columns and subresources are kubeflow's`, () => {
    const reference = referenceCrd(`${ours.spec.group}_${plural}.yaml`);
    assert.equal(ours.metadata?.name, reference.metadata?.name);
    assert.deepEqual(ours.spec.names, reference.spec.names);
    assert.equal(ours.spec.scope, reference.spec.scope);
    const { schema: _a, ...ourVersion } = ours.spec.versions[0] ?? { name: '', served: false, storage: false };
    const { schema: _b, ...theirVersion } = reference.spec.versions[0] ?? { name: '', served: false, storage: false };
    assert.deepEqual(ourVersion, theirVersion);
  });
}

test('the committed CRD YAML is what `npm run generate` writes now', () => {
  for (const file of crdFiles()) {
    const path = join(repoRoot, file.path);
    assert.ok(existsSync(path), `${file.path} missing: run npm run generate`);
    assert.ok(readFileSync(path, 'utf8') === file.content, `${file.path} is stale: run npm run generate`);
  }
});

test('generation is deterministic and the CRDs stay far below the size etcd accepts', () => {
  const first = crdFiles();
  const second = crdFiles();
  assert.deepEqual(first, second);
  for (const file of first) assert.ok(file.content.length < 700_000, `${file.path}: ${file.content.length} bytes`);
});

test('the schema is structural: no $ref, pod templates kept schema-less, quantities int-or-string', () => {
  for (const crd of allCrds()) {
    const text = JSON.stringify(crd);
    assert.ok(!text.includes('"$ref"'), 'a $ref was left');
    if (crd.spec.names.kind === 'SparkConnect') {
      for (const role of ['server', 'executor']) {
        const template = at(schemaOf(crd), 'spec', role, 'template');
        assert.deepEqual(
          { ...template, description: undefined },
          { description: undefined, type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        );
      }
      continue;
    }
    const specPath = crd.spec.names.kind === 'SparkApplication' ? ['spec'] : ['spec', 'template'];
    const template = at(schemaOf(crd), ...specPath, 'driver', 'template');
    const quantity = at(schemaOf(crd), ...specPath, 'batchSchedulerOptions', 'resources').additionalProperties;
    assert.deepEqual((quantity as JsonSchema)['x-kubernetes-int-or-string'], true);
    assert.deepEqual(
      { ...template, description: undefined },
      {
        description: undefined,
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
      },
    );
  }
});
