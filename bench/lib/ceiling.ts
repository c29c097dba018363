// The raw API ceiling: what a plain client achieves writing the objects of one submission per application at full
// concurrency — the SparkApplication, the driver pod, the Services and ConfigMaps native submission makes (built
// once by the real builder, renamed per application, so no build cost is in the loop), and a status write.
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { benchApp } from '../../harness/apps.ts';
import type { SparkApplicationObject } from '../../src/controllers/sparkapplication/kinds.ts';
import type { Client, KubeObject } from '../../src/runtime/index.ts';
import { buildNativeSubmission, driverOwnerReference, ownedByDriver } from '../../src/spark/builder.ts';
import { submissionSettings } from '../../src/spark/settings.ts';

const TEMPLATE_NAME = 'tmplappzz';
const TEMPLATE_UID = '00000000-0000-4000-8000-00000000beef';

interface Template {
  readonly pod: string;
  readonly resources: readonly string[];
  /** Names of the template's objects that do not contain the application's name: renamed per application. */
  readonly otherNames: readonly string[];
}

function template(namespace: string): Template {
  const app = benchApp(TEMPLATE_NAME, namespace);
  const built = buildNativeSubmission(
    { ...app, metadata: { ...app.metadata, uid: TEMPLATE_UID } },
    submissionSettings({ submissionId: 'bench-ceiling', attempt: 1, submitTimeMs: Date.now() }),
  );
  const objects = [built.driverPod, ...built.resources];
  return {
    pod: JSON.stringify(built.driverPod),
    resources: built.resources.map((r) => JSON.stringify(r)),
    otherNames: objects.map((o) => o.metadata?.name ?? '').filter((n) => n !== '' && !n.includes(TEMPLATE_NAME)),
  };
}

function rename(json: string, t: Template, name: string, index: number, uid: string): KubeObject {
  let out = json.replaceAll(TEMPLATE_NAME, name).replaceAll(TEMPLATE_UID, uid);
  t.otherNames.forEach((other, i) => {
    out = out.replaceAll(other, `${name}-o${i}-${index}`);
  });
  return JSON.parse(out) as KubeObject;
}

export interface CeilingResult {
  readonly apps: number;
  readonly concurrency: number;
  readonly writesPerApp: number;
  readonly seconds: number;
  readonly appsPerSecond: number;
  readonly writesPerSecond: number;
}

/** Writes `names.length` submissions' objects with `concurrency` pipelines; returns the rate. */
export async function measureCeiling(
  api: Client,
  namespace: string,
  names: readonly string[],
  concurrency: number,
): Promise<CeilingResult> {
  const t = template(namespace);
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < names.length; i = next++) {
      const name = names[i] ?? '';
      const app = await api.create(benchApp(name, namespace));
      const uid = app.metadata?.uid ?? '';
      const pod = (await api.create(rename(t.pod, t, name, i, uid))) as V1Pod & KubeObject;
      const owner = driverOwnerReference(pod, pod.metadata?.uid ?? '');
      for (const r of t.resources) {
        await api.create(ownedByDriver(rename(r, t, name, i, uid) as V1ConfigMap & KubeObject, owner));
      }
      await api.status().update({
        ...(app as SparkApplicationObject),
        status: {
          applicationState: { state: 'SUBMITTED' },
          driverInfo: { podName: pod.metadata?.name },
          submissionAttempts: 1,
          lastSubmissionAttemptTime: new Date().toISOString(),
        },
      } as SparkApplicationObject);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const writesPerApp = 3 + t.resources.length;
  return {
    apps: names.length,
    concurrency,
    writesPerApp,
    seconds,
    appsPerSecond: names.length / seconds,
    writesPerSecond: (names.length * writesPerApp) / seconds,
  };
}
