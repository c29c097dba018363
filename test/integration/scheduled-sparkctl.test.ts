// sparkctl's schedule commands as a user runs them: the real CLI process against the real control plane.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { installCrds, type ScheduledSparkApplication } from '../../src/api/index.ts';
import {
  ScheduledSparkApplications,
  SparkApplications,
} from '../../src/controllers/scheduledsparkapplication/controller.ts';
import { newClient } from '../../src/runtime/client/client.ts';
import { RUN_TRIGGER_ANNOTATION, SCHEDULED_APP_NAME_LABEL } from '../../src/spark/schedule/index.ts';
import { testNamespace } from '../support/kube.ts';

function sparkctl(kubeconfig: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['src/cli/sparkctl.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: kubeconfig },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('schedules list / status and create --from', async (t) => {
  const ns = await testNamespace(t);
  await installCrds(ns.kc);
  const client = newClient({ kubeConfig: ns.kc });
  const schedule: ScheduledSparkApplication = {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'ScheduledSparkApplication',
    metadata: { name: 'nightly', namespace: ns.namespace },
    spec: {
      schedule: '30 2 * * *',
      timeZone: 'Europe/Berlin',
      concurrencyPolicy: 'Forbid',
      template: {
        type: 'Scala',
        mode: 'cluster',
        image: 'apache/spark:3.5.8',
        mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
        sparkVersion: '3.5.8',
        driver: {},
        executor: {},
      },
    },
  };
  const created = await client.create(schedule);
  await client.status().update({
    ...created,
    status: { scheduleState: 'Scheduled', nextRun: '2026-01-02T01:30:00Z' },
  });
  const kubeconfig = ns.kubeconfigPath;
  const n = ['-n', ns.namespace];

  const list = sparkctl(kubeconfig, 'schedules', 'list', ...n);
  assert.equal(list.code, 0, list.stderr);
  const [header, row] = list.stdout.trim().split('\n');
  assert.match(header ?? '', /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+STATE\s+LAST RUN\s+NEXT RUN\s+ACTIVE$/);
  assert.match(
    row ?? '',
    /^nightly\s+30 2 \* \* \*\s+Europe\/Berlin\s+false\s+Scheduled\s+-\s+2026-01-02T01:30:00Z\s+0$/,
  );

  const run = sparkctl(kubeconfig, 'create', 'nightly-manual', '--from', 'nightly', ...n);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'sparkapplication/nightly-manual created from scheduledsparkapplication/nightly');
  const app = await client.get(SparkApplications, { namespace: ns.namespace, name: 'nightly-manual' });
  assert.equal(app.metadata.labels?.[SCHEDULED_APP_NAME_LABEL], 'nightly');
  assert.equal(app.metadata.annotations?.[RUN_TRIGGER_ANNOTATION], 'manual');
  assert.deepEqual(
    app.metadata.ownerReferences?.map((r) => [r.kind, r.uid, r.controller]),
    [['ScheduledSparkApplication', created.metadata.uid, true]],
  );
  assert.equal(app.spec.image, 'apache/spark:3.5.8');

  const status = sparkctl(kubeconfig, 'schedules', 'status', 'nightly', ...n);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^Schedule:\s+30 2 \* \* \*$/m);
  assert.match(status.stdout, /^Concurrency policy:\s+Forbid$/m);
  assert.match(status.stdout, /^Next run:\s+2026-01-02T01:30:00Z$/m);
  assert.match(status.stdout, /^ {2}nightly-manual\s+\S+Z\s+\(new\)\s+manual$/m);
  assert.match(sparkctl(kubeconfig, 'schedules', 'list', ...n).stdout, /\s1\n$/);

  // Errors: clear messages, nothing created.
  const again = sparkctl(kubeconfig, 'create', 'nightly-manual', '--from', 'nightly', ...n);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /SparkApplication nightly-manual already exists/);
  const missing = sparkctl(kubeconfig, 'create', 'x', '--from', 'weekly', ...n);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /ScheduledSparkApplication weekly not found in namespace/);
  const badName = sparkctl(kubeconfig, 'create', 'Bad_Name', '--from', 'nightly', ...n);
  assert.equal(badName.code, 2);
  assert.match(badName.stderr, /"Bad_Name" is not a valid SparkApplication name/);
  const noName = sparkctl(kubeconfig, 'schedules', 'status', ...n);
  assert.equal(noName.code, 2);
  assert.match(noName.stderr, /schedules status needs a NAME/);
  assert.equal((await client.list(ScheduledSparkApplications, { namespace: ns.namespace })).length, 1);
  assert.equal((await client.list(SparkApplications, { namespace: ns.namespace })).length, 1);
});
