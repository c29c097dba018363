import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { kwokConfigYaml, SIM_EXIT_CODE_ANNOTATION, simulatedNode } from '../../src/dev/localcluster/kwok.ts';

test('the kwok config is a stream of Stage documents covering nodes and the pod lifecycle', () => {
  const docs = parseAllDocuments(kwokConfigYaml()).map(
    (d) => d.toJS() as { kind: string; metadata: { name: string }; spec: { resourceRef: { kind: string } } },
  );
  assert.ok(docs.every((d) => d.kind === 'Stage'));
  assert.deepEqual(
    docs.map((d) => `${d.spec.resourceRef.kind}/${d.metadata.name}`),
    [
      'Node/node-initialize',
      'Node/node-heartbeat',
      'Pod/pod-running',
      'Pod/pod-terminated-on-request',
      'Pod/pod-delete',
    ],
  );
});

test('pods end only when annotated with an exit code, and only from Running', () => {
  const docs = parseAllDocuments(kwokConfigYaml()).map((d) => d.toJS());
  const terminate = docs.find((d) => d.metadata.name === 'pod-terminated-on-request');
  const keys = terminate.spec.selector.matchExpressions.map(
    (e: { key: string; operator: string }) => `${e.key} ${e.operator}`,
  );
  assert.ok(keys.includes(`.metadata.annotations["${SIM_EXIT_CODE_ANNOTATION}"] Exists`));
  assert.ok(keys.includes('.status.phase In'));
  assert.match(terminate.spec.next.statusTemplate, /phase: \{\{ if eq \$code "0" \}\}Succeeded\{\{ else \}\}Failed/);
});

test('simulated nodes carry the annotation kwok selects on', () => {
  const node = simulatedNode('n1') as { metadata: { annotations: Record<string, string> } };
  assert.equal(node.metadata.annotations['kwok.x-k8s.io/node'], 'fake');
});
