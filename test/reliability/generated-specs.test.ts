// 1000 generated SparkApplications, valid and invalid (fast-check, fixed seed: the same 1000 every run). Each one
// is either refused by the API server with a message naming the offending field, or accepted and run by the
// operator to COMPLETED (its driver ended with exit code 0) or to FAILED with an errorMessage saying why (a driver
// that no node can take — a memory of 12345678901234567890k is a valid quantity — is deleted, as an administrator
// would, and its application fails saying so). restartPolicy Always is not generated: it never ends by design. The
// operator never crashes or stalls: it is still running at the end, and a last valid application completes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { benchApp } from '../../harness/apps.ts';
import { type SparkApplicationObject, SparkApplications } from '../../src/controllers/sparkapplication/kinds.ts';
import { ApiError } from '../../src/runtime/index.ts';
import { eventually } from '../support/kube.ts';
import { endRunningDrivers, privateFixture, runToTerminal, startOperator, stateOf, TERMINAL } from './support.ts';

const SEED = 4242;
const COUNT = 1000;

type Spec = Record<string, unknown>;

/** An override of one field, two times in eleven: absent (the base value) or one of `values`. */
const sometimes = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: arb });
const maybe = <T>(...values: T[]) => sometimes(fc.constantFrom(...values));

const overrides = fc.record(
  {
    name: fc.oneof(
      { weight: 8, arbitrary: fc.constant(undefined) },
      fc.constantFrom('UPPER-case', 'under_score', '-leading', `long-${'x'.repeat(70)}`, `n${'y'.repeat(250)}`),
    ),
    type: maybe('Scala', 'Java', 'Python', 'R', 'Bogus', ''),
    mode: maybe('cluster', 'client', 'in-cluster-client', 'sideways'),
    image: maybe('docker.io/apache/spark:3.5.8', '', 'not an image ref ::', undefined),
    mainClass: maybe('org.apache.spark.examples.SparkPi', '', 'a b c'),
    mainApplicationFile: maybe(
      'local:///opt/spark/examples/jars/spark-examples.jar',
      '',
      'relative.jar',
      'http://x/y.py',
    ),
    sparkVersion: maybe('3.5.8', '4.1.1', '', 'banana', '2.0'),
    driverCores: maybe<number | string>(1, 0, -1, 3, 'two'),
    driverMemory: maybe('64m', '1g', 'lots', '-1g', '0', '12345678901234567890k'),
    executorInstances: maybe(1, 0, -3, 40),
    restartPolicy: maybe(
      { type: 'Never' },
      { type: 'Sometimes' },
      {
        type: 'OnFailure',
        onFailureRetries: 1,
        onFailureRetryInterval: 1,
        onSubmissionFailureRetries: 1,
        onSubmissionFailureRetryInterval: 1,
      },
      { type: 'OnFailure', onFailureRetries: -2 },
      { type: 'OnFailure', onSubmissionFailureRetryInterval: 0 },
    ),
    sparkConf: sometimes(
      fc.dictionary(
        fc.oneof(
          fc.constantFrom(
            'spark.executor.cores',
            'spark.driver.memory',
            'spark.app.name',
            'spark.kubernetes.driver.podTemplateFile',
          ),
          fc.string({ maxLength: 12 }),
        ),
        fc.string({ maxLength: 20 }),
        { maxKeys: 4 },
      ),
    ),
    arguments: sometimes(fc.array(fc.string({ maxLength: 30 }), { maxLength: 4 })),
    volumes: maybe(
      [{ name: 'data', emptyDir: {} }],
      [{ name: 'Bad_Name', emptyDir: {} }],
      [
        { name: 'a', emptyDir: {} },
        { name: 'a', emptyDir: {} },
      ],
    ),
    mountMissingVolume: maybe(true),
    timeToLiveSeconds: maybe(-1, 0),
    unknownField: maybe(true),
  },
  { requiredKeys: [] },
);

type Overrides = typeof overrides extends fc.Arbitrary<infer T> ? T : never;

function application(index: number, o: Overrides, namespace: string): SparkApplicationObject {
  const name = o.name ?? `gen-${String(index).padStart(4, '0')}`;
  const base = benchApp(name, namespace);
  const spec = structuredClone(base.spec) as unknown as Spec;
  const driver = spec.driver as Spec;
  const executor = spec.executor as Spec;
  const set = (target: Spec, key: string, value: unknown) => {
    if (value !== undefined) target[key] = value;
  };
  set(spec, 'type', o.type);
  set(spec, 'mode', o.mode);
  if ('image' in o) {
    if (o.image === undefined) delete spec.image;
    else spec.image = o.image;
  }
  set(spec, 'mainClass', o.mainClass);
  set(spec, 'mainApplicationFile', o.mainApplicationFile);
  set(spec, 'sparkVersion', o.sparkVersion);
  set(driver, 'cores', o.driverCores);
  set(driver, 'memory', o.driverMemory);
  set(executor, 'instances', o.executorInstances);
  set(spec, 'restartPolicy', o.restartPolicy);
  set(spec, 'sparkConf', o.sparkConf);
  set(spec, 'arguments', o.arguments);
  set(spec, 'volumes', o.volumes);
  if (o.mountMissingVolume) driver.volumeMounts = [{ name: 'nowhere', mountPath: '/nowhere' }];
  set(spec, 'timeToLiveSeconds', o.timeToLiveSeconds);
  if (o.unknownField) spec.notAField = { surprise: true };
  return { ...base, spec } as unknown as SparkApplicationObject;
}

test('1000 generated applications: refused with a clear message, or run to an end that says why', async (t) => {
  const f = await privateFixture(t);
  const op = await startOperator(t, f.kubeconfigPath, f.namespace, ['--controller-threads=8']);
  const generated = fc.sample(overrides, { seed: SEED, numRuns: COUNT });
  const apps = generated.map((o, i) => application(i, o, f.namespace));

  const accepted: string[] = [];
  const refused: { name: string; message: string }[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < apps.length; i += 50) {
    await Promise.all(
      apps.slice(i, i + 50).map(async (app) => {
        const name = app.metadata?.name ?? '';
        try {
          await f.api.create(app);
          accepted.push(name);
        } catch (err) {
          if (!(err instanceof ApiError) || (err.code !== 422 && err.code !== 400 && err.code !== 409)) throw err;
          // A generated name used twice: AlreadyExists is the API's clear answer too.
          if (err.code === 409 && seen.has(name)) return;
          refused.push({ name, message: err.message });
        }
        seen.add(name);
      }),
    );
  }
  t.diagnostic(`${accepted.length} accepted, ${refused.length} refused by the API server`);
  assert.ok(accepted.length > 100 && refused.length > 100, 'both kinds were generated');
  for (const r of refused) {
    assert.match(
      r.message,
      /(spec\.[a-zA-Z]|metadata\.name|\bname\b)/,
      `${r.name}: the message names the field: ${r.message}`,
    );
  }

  // Every accepted application ends: drivers that run are ended with exit code 0. One with timeToLiveSeconds 0 is
  // deleted once it ends: it is done when it is gone (-1 is kept, with a Warning event saying why).
  const withTtl = new Set(apps.filter((a) => a.spec.timeToLiveSeconds === 0).map((a) => a.metadata?.name ?? ''));
  const lasting = accepted.filter((n) => !withTtl.has(n));
  const endedDrivers = new Set<string>();
  const ended = await runToTerminal(f.api, f.namespace, lasting, () => 0, 180_000, {
    deleteUnschedulable: true,
    ended: endedDrivers,
  });
  await eventually(
    'applications with a TTL deleted',
    async () => {
      await endRunningDrivers(f.api, f.namespace, () => 0, endedDrivers, { deleteUnschedulable: true });
      const left = (await f.api.list(SparkApplications, { namespace: f.namespace })).filter((a) =>
        withTtl.has(a.metadata?.name ?? ''),
      );
      return left.length === 0 || undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  const byState = new Map<string, number>();
  for (const app of ended) {
    const state = stateOf(app);
    byState.set(state, (byState.get(state) ?? 0) + 1);
    assert.ok(TERMINAL.has(state));
    if (state === 'FAILED') {
      assert.match(app.status?.applicationState?.errorMessage ?? '', /\S{3}/, `${app.metadata?.name}: FAILED says why`);
    }
  }
  t.diagnostic(`end states: ${JSON.stringify(Object.fromEntries([...byState].sort()))}`);
  assert.ok((byState.get('COMPLETED') ?? 0) > 0, 'some generated applications ran');

  // Still running and still reconciling: a last valid application completes.
  assert.equal(op.child.exitCode, null, 'the operator did not exit');
  await f.api.create(benchApp('final-valid', f.namespace));
  const [last] = await runToTerminal(f.api, f.namespace, ['final-valid'], () => 0, 60_000);
  assert.equal(last && stateOf(last), 'COMPLETED');
  assert.equal(await op.stop(), 0, 'the operator stops cleanly');
});
