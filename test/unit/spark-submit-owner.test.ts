// The spark-submit submitter makes the driver pod owned by its SparkApplication through the driver's pod template,
// as native submission does, so deleting the application deletes its driver. A stand-in spark-submit records what
// it was given (the template file is removed once spark-submit returns).
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { SparkSubmitSubmitter } from '../../src/spark/submit/spark-submit.ts';
import { SETTINGS, sparkPi } from './spark-fixtures.ts';

function fakeSparkHome(dir: string): { home: string; args: string; template: string } {
  const home = join(dir, 'spark');
  mkdirSync(join(home, 'bin'), { recursive: true });
  const args = join(dir, 'args.txt');
  const template = join(dir, 'template.yaml');
  const script = join(home, 'bin', 'spark-submit');
  writeFileSync(
    script,
    [
      '#!/bin/bash',
      'if [ -n "$FAKE_SPARK_SUBMIT_FAIL" ]; then echo "ERROR failing as asked" >&2; exit 1; fi',
      `printf '%s\\n' "$@" > ${args}`,
      'for a in "$@"; do case "$a" in spark.kubernetes.driver.podTemplateFile=*)',
      `  cp "\${a#*=}" ${template};; esac; done`,
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  return { home, args, template };
}

async function submitWith(ownDriverByApplication: boolean | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'sparkop-submit-owner-'));
  const fake = fakeSparkHome(dir);
  const app = sparkPi();
  app.metadata = { ...app.metadata, uid: '0c0ffee0-0000-4000-8000-000000000001' };
  const submitter = new SparkSubmitSubmitter({
    sparkHome: fake.home,
    // No driver before spark-submit runs; the one it created afterwards.
    client: {
      readPod: async () => {
        if (!existsSync(fake.args)) throw new Error('not found');
        return { metadata: { name: 'spark-pi-driver', labels: { 'spark-app-selector': 'a-1' } } };
      },
    },
    ownDriverByApplication,
  });
  await submitter.submit(app, { ...SETTINGS, templateDir: join(dir, 'templates') });
  const args = readFileSync(fake.args, 'utf8').split('\n');
  let template: Record<string, unknown> | undefined;
  try {
    template = parse(readFileSync(fake.template, 'utf8')) as Record<string, unknown>;
  } catch {
    template = undefined;
  }
  rmSync(dir, { recursive: true, force: true });
  return { args, template };
}

test('the driver pod template carries the application as controller owner', async () => {
  const { args, template } = await submitWith(undefined);
  assert.ok(args.includes('spark.kubernetes.driver.podTemplateContainerName=spark-kubernetes-driver'));
  const meta = template?.metadata as { ownerReferences?: Record<string, unknown>[] } | undefined;
  assert.deepEqual(meta?.ownerReferences, [
    {
      apiVersion: 'sparkoperator.k8s.io/v1beta2',
      kind: 'SparkApplication',
      name: 'spark-pi',
      uid: '0c0ffee0-0000-4000-8000-000000000001',
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
});

test('without ownership (an application not in the API server) spark-submit gets no owner', async () => {
  const { template } = await submitWith(false);
  const meta = template?.metadata as { ownerReferences?: unknown } | undefined;
  assert.equal(meta?.ownerReferences, undefined);
});

test('many submissions, failed ones among them, leave nothing behind in the template folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sparkop-submit-leak-'));
  const fake = fakeSparkHome(dir);
  const templateDir = join(dir, 'templates');
  const submitter = (fail: boolean) =>
    new SparkSubmitSubmitter({
      sparkHome: fake.home,
      env: { ...process.env, FAKE_SPARK_SUBMIT_FAIL: fail ? '1' : '' },
      // No driver before spark-submit runs (it writes the args file); the one it created afterwards.
      client: {
        readPod: async () => {
          if (!existsSync(fake.args)) throw new Error('not found');
          return { metadata: { name: 'spark-pi-driver', labels: {} } };
        },
      },
    });
  let created = 0;
  const ok = submitter(false);
  const failing = submitter(true);
  try {
    for (let i = 0; i < 60; i++) {
      // Both roles get a template file: the driver's (its owner) and the executor's (a toleration).
      const app = sparkPi({ executor: { instances: 1, tolerations: [{ key: 'k', operator: 'Exists' }] } });
      app.metadata = { ...app.metadata, uid: `0c0ffee0-0000-4000-8000-${String(i).padStart(12, '0')}` };
      const settings = { ...SETTINGS, submissionId: `sub-${i}`, templateDir };
      rmSync(fake.args, { force: true });
      const succeeded = await (i % 3 === 2 ? failing : ok).submit(app, settings).then(
        () => true,
        () => false,
      );
      if (succeeded) created++;
    }
  } finally {
    const left = existsSync(templateDir) ? readdirSync(templateDir) : [];
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(left, [], 'no file or folder is left per submission');
  }
  assert.equal(created, 40, 'two in three submissions succeed');
});
