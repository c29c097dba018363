// `sparkctl render`: what would be created, and clear errors for bad input. No cluster needed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);
const SPARKCTL = new URL('../../bin/sparkctl.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sparkop-render-'));

const APP = `apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata:
  name: pi
  namespace: jobs
spec:
  type: Scala
  mode: cluster
  image: spark:4.0.1
  mainClass: org.apache.spark.examples.SparkPi
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  sparkVersion: 4.0.1
  driver: { cores: 1, memory: 512m, serviceAccount: spark }
  executor: { instances: 2, cores: 1, memory: 512m }
`;

async function sparkctl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SPARKCTL, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('render prints the driver pod, its service and config maps, in YAML and JSON', async () => {
  const file = join(dir, 'app.yaml');
  writeFileSync(file, APP);
  const yaml = await sparkctl('render', '-f', file);
  assert.equal(yaml.code, 0, yaml.stderr);
  const docs = parseAllDocuments(yaml.stdout).map((d) => d.toJS() as { kind: string; metadata: { namespace: string } });
  const kinds = docs.map((d) => d.kind).sort();
  assert.deepEqual(
    kinds.filter((k) => k !== 'ConfigMap'),
    ['Pod', 'Service'],
  );
  assert.ok(kinds.filter((k) => k === 'ConfigMap').length >= 1, 'the spark.properties ConfigMap');
  assert.ok(docs.every((d) => d.metadata.namespace === 'jobs'));
  const pod = docs.find((d) => d.kind === 'Pod') as unknown as {
    metadata: { name: string; labels: Record<string, string> };
    spec: { containers: { name: string; image: string }[] };
  };
  assert.equal(pod.metadata.name, 'pi-driver');
  assert.equal(pod.metadata.labels['spark-role'], 'driver');
  assert.equal(pod.metadata.labels['sparkoperator.k8s.io/app-name'], 'pi');
  assert.equal(pod.spec.containers[0]?.image, 'spark:4.0.1');

  const json = await sparkctl('render', '-f', file, '-o', 'json');
  assert.equal(json.code, 0, json.stderr);
  const list = JSON.parse(json.stdout) as { kind: string; items: { kind: string }[] };
  assert.deepEqual(list.items.map((i) => i.kind).sort(), kinds);

  // Rendering is deterministic: the same input gives the same output.
  assert.equal((await sparkctl('render', '-f', file)).stdout, yaml.stdout);
});

test('render rejects bad input with exit code 2 and a message naming the problem', async () => {
  const missing = await sparkctl('render', '-f', join(dir, 'nope.yaml'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /file not found/);

  const broken = join(dir, 'broken.yaml');
  writeFileSync(broken, 'kind: SparkApplication\nspec: [unclosed\n');
  const syntax = await sparkctl('render', '-f', broken);
  assert.equal(syntax.code, 2);
  assert.match(syntax.stderr, /line \d+/);

  const incomplete = join(dir, 'incomplete.yaml');
  writeFileSync(incomplete, APP.replace(/ {2}mainApplicationFile: .*\n/, '').replace(/ {2}sparkVersion: .*\n/, ''));
  const invalid = await sparkctl('render', '-f', incomplete);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /spec\.mainApplicationFile: Required value/);
  assert.match(invalid.stderr, /spec\.sparkVersion: Required value/);
  assert.equal(invalid.stdout, '', 'nothing is printed for invalid input');

  const other = join(dir, 'configmap.yaml');
  writeFileSync(other, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n');
  const wrongKind = await sparkctl('render', '-f', other);
  assert.equal(wrongKind.code, 2);
  assert.match(wrongKind.stderr, /SparkApplication/);
});
