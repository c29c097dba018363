// Conformance: for every application of the corpus and every pinned pyspark version, run the real spark-submit and
// sparkop's native submission against the real kube-apiserver and compare what they created, field by field.
// Every difference must be listed (with its reason) in docs/conformance.md; an unlisted one fails the test.
// Filters for local runs: SPARKOP_CONFORMANCE_APPS=spark-pi,spark-pi-python SPARKOP_CONFORMANCE_VERSIONS=3.5.8
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CoreV1Api } from '@kubernetes/client-node';
import {
  allowedDifferences,
  capture,
  corpus,
  type Difference,
  diff,
  normalise,
  pool,
  pysparkHomes,
  SPARK_USER,
  tokenKubeconfig,
  unexplainedTemplateFields,
} from '../../harness/conformance.ts';
import type { SparkApplication } from '../../src/api/index.ts';
import { submissionSettings } from '../../src/spark/settings.ts';
import { coreSubmissionClient } from '../../src/spark/submit/kube-client.ts';
import { NativeSubmitter } from '../../src/spark/submit/native.ts';
import { SparkSubmitSubmitter } from '../../src/spark/submit/spark-submit.ts';
import { submitRequest } from '../../src/spark/submit-request.ts';
import { sharedCluster } from '../support/kube.ts';

const PARALLEL = Number(process.env.SPARKOP_CONFORMANCE_PARALLEL ?? 2);
const onlyApps = process.env.SPARKOP_CONFORMANCE_APPS?.split(',');
const onlyVersions = process.env.SPARKOP_CONFORMANCE_VERSIONS?.split(',');
const SERVICE_ACCOUNTS = ['spark-operator-spark', 'spark'];

interface Outcome {
  readonly name: string;
  readonly error?: string;
  readonly unexplained: string[];
  readonly explained: Map<string, number>;
}

async function namespaceWithAccounts(core: CoreV1Api, name: string): Promise<void> {
  await core.createNamespace({ body: { metadata: { name, labels: { 'sparkop.dev/test': 'true' } } } });
  for (const sa of SERVICE_ACCOUNTS) {
    await core.createNamespacedServiceAccount({ namespace: name, body: { metadata: { name: sa } } });
  }
}

test('the pod templates carry only what the application asks for; one that asks for nothing gets none', () => {
  const settings = submissionSettings({ submissionId: 'audit', attempt: 1, submitTimeMs: 0 });
  const unexplained: string[] = [];
  const plain: string[] = [];
  for (const { name, app } of corpus()) {
    const request = submitRequest({ ...app, metadata: { ...app.metadata, namespace: 'audit' } }, settings);
    unexplained.push(...unexplainedTemplateFields(app, request).map((field) => `${name}: ${field}`));
    if (!request.driverTemplate) plain.push(`${name}/driver`);
    if (!request.executorTemplate) plain.push(`${name}/executor`);
  }
  assert.deepEqual(unexplained, [], 'template fields no application field asks for (policy both submitters share)');
  // These pods are compared with spark-submit's own, no template of sparkop's in between: whatever native
  // submission adds by itself shows up as a difference.
  for (const pod of ['long-name-da/driver', 'long-name-da/executor', 'deps-and-env/executor']) {
    assert.ok(plain.includes(pod), `${pod} has no pod template (those without: ${plain.join(', ')})`);
  }
});

const homes = pysparkHomes();
for (const [version, sparkHome] of homes) {
  if (onlyVersions && !onlyVersions.includes(version)) continue;
  test(`spark-submit ${version} and native submission create the same objects`, async (t) => {
    const cluster = await sharedCluster();
    const dir = mkdtempSync(join(tmpdir(), 'sparkop-conformance-'));
    const id = `${version.replaceAll('.', '')}-${process.pid}`;
    const token = await tokenKubeconfig(cluster.kc, dir, id);
    const namespaces: string[] = [];
    t.after(async () => {
      await Promise.all(namespaces.map((name) => cluster.core.deleteNamespace({ name }).catch(() => undefined)));
      await token.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });
    const allowed = allowedDifferences().map((a) => ({ ...a, re: new RegExp(a.path) }));
    const client = coreSubmissionClient(cluster.core);
    // The SparkApplication does not exist in the API server: a driver owned by it would be garbage-collected, so the
    // application owner reference (checked by the unit tests) is left out of what is compared.
    const nativeClient = {
      ...client,
      createPod: (ns: string, pod: Parameters<typeof client.createPod>[1]) =>
        client.createPod(ns, { ...pod, metadata: { ...pod.metadata, ownerReferences: undefined } }),
    };
    const entries = corpus().filter((e) => !onlyApps || onlyApps.includes(e.name));
    const outcomes = await pool(
      PARALLEL,
      entries.map((entry, i) => async (): Promise<Outcome> => {
        const base = `cf-${id}-${i}`;
        const nsSubmit = `${base}-s`;
        const nsNative = `${base}-n`;
        namespaces.push(nsSubmit, nsNative);
        try {
          await Promise.all([
            namespaceWithAccounts(cluster.core, nsSubmit),
            namespaceWithAccounts(cluster.core, nsNative),
          ]);
          const settings = submissionSettings({
            submissionId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            attempt: 1,
            submitTimeMs: Date.now(),
            masterURL: `k8s://${token.server}`,
            sparkUser: SPARK_USER,
            templateDir: join(dir, 'templates'),
          });
          const appIn = (namespace: string): SparkApplication => ({
            ...entry.app,
            metadata: {
              ...entry.app.metadata,
              namespace,
              uid: `0c0ffee0-0000-4000-8000-${String(i).padStart(12, '0')}`,
            },
            spec: { ...entry.app.spec, sparkVersion: version },
          });
          await new SparkSubmitSubmitter({
            sparkHome,
            client,
            // The application is not in the API server: a driver owned by it would be garbage-collected.
            ownDriverByApplication: false,
            env: { ...process.env, KUBECONFIG: token.path, SPARK_LOCAL_IP: '127.0.0.1' },
          }).submit(appIn(nsSubmit), settings);
          await new NativeSubmitter(nativeClient).submit(appIn(nsNative), settings);
          const submitted = normalise(await capture(cluster.core, nsSubmit), nsSubmit);
          const native = normalise(await capture(cluster.core, nsNative), nsNative);
          const differences: (Difference & { object: string })[] = [];
          for (const key of [...new Set([...submitted.keys(), ...native.keys()])].sort()) {
            for (const d of diff(submitted.get(key), native.get(key))) differences.push({ ...d, object: key });
          }
          const unexplained: string[] = [];
          const explained = new Map<string, number>();
          for (const d of differences) {
            const where = `${d.object}:${d.path}`;
            const rule = allowed.find((a) => a.re.test(where));
            if (rule) explained.set(rule.id, (explained.get(rule.id) ?? 0) + 1);
            else {
              unexplained.push(
                `${where}\n      spark-submit: ${JSON.stringify(d.sparkSubmit)}\n      native:       ${JSON.stringify(d.native)}`,
              );
            }
          }
          return { name: entry.name, unexplained, explained };
        } catch (err) {
          return {
            name: entry.name,
            error: err instanceof Error ? err.message : String(err),
            unexplained: [],
            explained: new Map(),
          };
        }
      }),
    );
    const report = outcomes.map((o) => {
      const explained = [...o.explained].map(([k, n]) => `${k}×${n}`).join(', ') || 'none';
      if (o.error) return `✗ ${o.name}: ${o.error}`;
      if (o.unexplained.length)
        return `✗ ${o.name}: ${o.unexplained.length} unlisted differences\n    ${o.unexplained.join('\n    ')}`;
      return `✓ ${o.name} (listed differences: ${explained})`;
    });
    t.diagnostic(report.join('\n'));
    console.error(`[conformance ${version}]\n${report.join('\n')}`);
    assert.deepEqual(
      outcomes.filter((o) => o.error || o.unexplained.length > 0).map((o) => o.name),
      [],
      `applications whose objects differ from spark-submit ${version}'s (see above)`,
    );
  });
}
