// Imports run one way. Inside src/: runtime ← api ← spark ← controllers ← operator ← deploy ← dev ← cli (a folder
// imports only from itself and the folders before it); outside src/runtime/, the runtime is used through its index;
// no two files import each other, directly or round about. Around src/: tests and benches share their harness
// (harness/) and never import each other; the harness imports only src/; src/ imports nothing outside itself.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importSpecifiers } from '../../src/dev/deploy/import-graph.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC_LAYERS = ['runtime', 'api', 'spark', 'controllers', 'operator', 'deploy', 'dev', 'cli'] as const;

function tsFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(folder, f));
}

/** The repository files a file imports: static, type-only, re-exports and dynamic imports alike. */
function importsOf(file: string): string[] {
  return importSpecifiers(readFileSync(join(ROOT, file), 'utf8'))
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => normalize(join(dirname(file), spec)));
}

const topFolder = (file: string) => file.split('/')[0]!;

test('each folder of src/ imports only from itself and the folders before it', () => {
  const layerOf = (file: string) => SRC_LAYERS.indexOf(file.split('/')[1] as (typeof SRC_LAYERS)[number]);
  const files = tsFiles('src');
  const outside = files.filter((f) => layerOf(f) < 0 && f.split('/').length > 2);
  assert.deepEqual(outside, [], `folders of src/ missing from the layer order ${SRC_LAYERS.join(' ← ')}`);
  const backwards = files.flatMap((file) =>
    importsOf(file)
      .filter((target) => topFolder(target) !== 'src' || layerOf(target) > layerOf(file))
      .map((target) => `${file} → ${target}`),
  );
  assert.deepEqual(backwards, []);
});

test("the rest of src/ uses the runtime through its public surface (src/runtime/index.ts), as controller-runtime's users do", () => {
  const deep = tsFiles('src')
    .filter((file) => !file.startsWith('src/runtime/'))
    .flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith('src/runtime/') && target !== 'src/runtime/index.ts')
        .map((target) => `${file} → ${target}`),
    );
  assert.deepEqual(deep, []);
});

test('no import cycle among the files of src/', () => {
  const graph = new Map(tsFiles('src').map((f) => [f, importsOf(f)]));
  const done = new Set<string>();
  const path: string[] = [];
  const cycles: string[] = [];
  const visit = (file: string) => {
    const at = path.indexOf(file);
    if (at >= 0) {
      cycles.push([...path.slice(at), file].join(' → '));
      return;
    }
    if (done.has(file) || !graph.has(file)) return;
    path.push(file);
    for (const target of graph.get(file)!) visit(target);
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  assert.deepEqual(cycles, []);
});

test('tests and benches share harness/ and never import each other; the harness imports only src/', () => {
  const allowed: Record<string, readonly string[]> = {
    src: ['src'],
    harness: ['harness', 'src'],
    test: ['test', 'harness', 'src', 'scripts'],
    bench: ['bench', 'harness', 'src'],
    scripts: ['scripts', 'harness', 'src'],
  };
  const wrong = Object.entries(allowed).flatMap(([folder, may]) =>
    tsFiles(folder).flatMap((file) =>
      importsOf(file)
        .filter((target) => !may.includes(topFolder(target)))
        .map((target) => `${file} → ${target}`),
    ),
  );
  assert.deepEqual(wrong, []);
});
