// Heap per cached pod: 20 000 copies of a driver pod with distinct names, stored as the cache stores them
// (transformed or decoded, then deep-frozen). Each variant runs in a child process of its own with --expose-gc.
// No cluster needed.
//
//   npm run bench -- pod-memory
//
// Variants:
// - whole, slim: bench/fixtures/driver-pod.json (from `kubectl get pod -o json`) through the runtime's default
//   transform (stripManagedFields: the whole pod) and through the pod cache's slimPod;
// - slim-json, slim-protobuf: one pod of the scale bench's cluster as the API server serves it (managedFields
//   included), in JSON (bench/fixtures/driver-pod.api.json: JSON.parse + slimPod, the cache's JSON path) and in
//   protobuf (driver-pod.api.pb: decodeSlimPod, the path the pod cache takes). The copies get distinct names
//   (app-00000 → app-NNNNN, same length, so the protobuf bytes are renamed in place), so values an application's
//   pods share in a real cluster are not shared between copies here.
// - application, application-slim: a SparkApplication of the scale bench (bench/fixtures/application.json, from
//   `kubectl get -o json`) through the runtime's default transform and through the SparkApplication cache's
//   slimApplication (which shares the spec's strings). The figures are per application, not per pod.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSlimPod, slimApplication, slimPod } from '../src/controllers/sparkapplication/scope.ts';
import { deepFreeze } from '../src/runtime/cache/freeze.ts';
import { type KubeObject, stripManagedFields } from '../src/runtime/index.ts';
import { readEnvelope } from '../src/runtime/rest/protobuf.ts';

const COUNT = 20_000;
const VARIANTS = ['whole', 'slim', 'slim-json', 'slim-protobuf', 'application', 'application-slim'] as const;
const variant = process.env.POD_MEMORY_VARIANT;
const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

/** The i-th copy, ready to store. */
function copier(name: string): (i: number) => KubeObject {
  const id = (i: number) => `app-${String(i).padStart(5, '0')}`;
  switch (name) {
    case 'whole':
    case 'slim': {
      const text = readFileSync(fixture('driver-pod.json'), 'utf8');
      const transform = name === 'slim' ? slimPod : stripManagedFields;
      return (i) => transform(JSON.parse(text.replaceAll('app-00000', id(i))) as KubeObject);
    }
    case 'slim-json': {
      const text = readFileSync(fixture('driver-pod.api.json'), 'utf8');
      return (i) => slimPod(JSON.parse(text.replaceAll('app-00000', id(i))) as KubeObject);
    }
    case 'slim-protobuf': {
      const bytes = readFileSync(fixture('driver-pod.api.pb'));
      const from = Buffer.from('app-00000');
      const at: number[] = [];
      for (let p = bytes.indexOf(from); p >= 0; p = bytes.indexOf(from, p + 1)) at.push(p);
      return (i) => {
        const copy = Buffer.from(bytes);
        for (const p of at) copy.write(id(i), p, 'latin1');
        return decodeSlimPod(readEnvelope(copy).raw);
      };
    }
    case 'application':
    case 'application-slim': {
      const text = readFileSync(fixture('application.json'), 'utf8');
      const transform = name === 'application-slim' ? slimApplication : stripManagedFields;
      return (i) => transform(JSON.parse(text.replaceAll('app-00000', id(i))) as KubeObject);
    }
    default:
      throw new Error(`unknown variant ${name}`);
  }
}

if (variant) {
  const next = copier(variant);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  let kept: KubeObject[] = [];
  for (let i = 0; i < COUNT; i++) kept.push(deepFreeze(next(i)));
  gc();
  gc();
  const withPods = process.memoryUsage().heapUsed;
  const objects = kept.length;
  kept = [];
  gc();
  gc();
  const bytes = withPods - process.memoryUsage().heapUsed;
  console.log(JSON.stringify({ variant, objects, heapBytesPerPod: Math.round(bytes / COUNT) }));
} else {
  const results = VARIANTS.map((v) => {
    const run = spawnSync(process.execPath, ['--expose-gc', import.meta.filename], {
      env: { ...process.env, POD_MEMORY_VARIANT: v },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(run.stderr);
    return JSON.parse(run.stdout) as { variant: string; heapBytesPerPod: number };
  });
  for (const r of results) {
    const what = r.variant.startsWith('application') ? 'application' : 'pod';
    console.log(`${r.variant}: ${r.heapBytesPerPod} heap bytes per cached ${what} (${COUNT} ${what}s)`);
  }
}
