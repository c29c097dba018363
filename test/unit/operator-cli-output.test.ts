// sparkctl's output helpers: tables, ages, rows of SparkApplications, -o yaml|json.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { SparkApplication } from '../../src/api/index.ts';
import { applicationTable, formatObjects, formatTable, humanDuration, outputFormat } from '../../src/cli/output.ts';

test('human durations follow kubectl', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [45_000, '45s'],
    [119_000, '119s'],
    [200_000, '3m20s'],
    [15 * 60_000, '15m'],
    [125 * 60_000, '125m'],
    [(3 * 60 + 5) * 60_000, '3h5m'],
    [20 * 3_600_000, '20h'],
    [76 * 3_600_000, '3d4h'],
    [30 * 86_400_000, '30d'],
    [800 * 86_400_000, '2y'],
    [-5_000, '0s'],
  ];
  for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, String(ms));
});

test('tables align columns, three spaces apart, without trailing spaces', () => {
  assert.equal(
    formatTable(
      ['A', 'LONGER'],
      [
        ['xxxx', ''],
        ['y', 'z'],
      ],
    ),
    'A      LONGER\nxxxx\ny      z',
  );
});

const now = Date.parse('2026-01-01T00:10:00Z');
const app = (name: string, namespace: string, status?: SparkApplication['status']): SparkApplication =>
  ({
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'SparkApplication',
    metadata: { name, namespace, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {} as SparkApplication['spec'],
    ...(status ? { status } : {}),
  }) as unknown as SparkApplication;

test('application rows: NAME STATUS ATTEMPTS START FINISH AGE, NAMESPACE first with -A', () => {
  const done = app('pi', 'ns', {
    applicationState: { state: 'COMPLETED' },
    submissionAttempts: 1,
    lastSubmissionAttemptTime: '2026-01-01T00:00:01Z',
    terminationTime: '2026-01-01T00:00:04Z',
  } as SparkApplication['status']);
  assert.equal(
    applicationTable([done, app('new', 'ns')], now, false),
    [
      'NAME   STATUS      ATTEMPTS   START                  FINISH                 AGE',
      'pi     COMPLETED   1          2026-01-01T00:00:01Z   2026-01-01T00:00:04Z   10m',
      'new    <none>      0          <none>                 <none>                 10m',
    ].join('\n'),
  );
  assert.match(applicationTable([done], now, true), /^NAMESPACE {3}NAME {3}STATUS/);
});

test('-o yaml|json: one object as itself, several as a List; other formats are usage errors', () => {
  const a = app('a', 'ns');
  assert.deepEqual(JSON.parse(formatObjects([a], 'json', false)), a);
  const list = parse(formatObjects([a, app('b', 'ns')], 'yaml', true)) as { kind: string; items: unknown[] };
  assert.equal(list.kind, 'List');
  assert.equal(list.items.length, 2);
  assert.equal(outputFormat(undefined), 'table');
  assert.equal(outputFormat('yaml'), 'yaml');
  assert.throws(() => outputFormat('xml'), /-o xml: expected yaml or json/);
});
