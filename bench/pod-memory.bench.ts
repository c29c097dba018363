// Heap per cached pod: a driver pod as the scale bench's cluster serves it (bench/fixtures/driver-pod.json, from
// `kubectl get pod -o json`), 20 000 copies with distinct names, stored as the cache stores them (transformed, then
// deep-frozen) — with the runtime's default transform (stripManagedFields: the whole pod) and with the pod cache's
// slimPod. Each variant runs in a child process of its own with --expose-gc. No cluster needed.
//
//   npm run bench -- pod-memory
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { slimPod } from '../src/controllers/sparkapplication/scope.ts';
import { deepFreeze } from '../src/runtime/cache/freeze.ts';
import { type KubeObject, stripManagedFields } from '../src/runtime/index.ts';

const COUNT = 20_000;
const variant = process.env.POD_MEMORY_VARIANT;

if (variant) {
  const text = readFileSync(join(import.meta.dirname, 'fixtures', 'driver-pod.json'), 'utf8');
  const transform = variant === 'slim' ? slimPod : stripManagedFields;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept: KubeObject[] = [];
  for (let i = 0; i < COUNT; i++) {
    const json = text.replaceAll('app-00000', `app-${String(i).padStart(5, '0')}`);
    kept.push(deepFreeze(transform(JSON.parse(json) as KubeObject)));
  }
  gc();
  gc();
  const bytes = process.memoryUsage().heapUsed - before;
  console.log(JSON.stringify({ variant, objects: kept.length, heapBytesPerPod: Math.round(bytes / COUNT) }));
} else {
  const results = ['whole', 'slim'].map((v) => {
    const run = spawnSync(process.execPath, ['--expose-gc', import.meta.filename], {
      env: { ...process.env, POD_MEMORY_VARIANT: v },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(run.stderr);
    return JSON.parse(run.stdout) as { variant: string; heapBytesPerPod: number };
  });
  for (const r of results) console.log(`${r.variant}: ${r.heapBytesPerPod} heap bytes per cached pod (${COUNT} pods)`);
}
