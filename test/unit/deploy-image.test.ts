// The container image, checked without Docker (the machine has no engine): the Dockerfile's shape (multi-stage,
// numeric non-root USER, the entrypoint), and the build context (.dockerignore) holds every file the entrypoint
// imports and nothing of tests or node_modules; the entrypoint's packages are production dependencies.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDockerfile } from '../../src/deploy/dockerfile.ts';
import { dockerignore } from '../../src/deploy/dockerignore.ts';
import { importGraph } from '../../src/deploy/import-graph.ts';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const ENTRYPOINT = 'src/cli/sparkop.ts';

test('the Dockerfile is multi-stage, runs as a numeric non-root user, and starts node src/cli/sparkop.ts', () => {
  const stages = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  assert.ok(stages.length >= 3, 'deps, operator, spark-submit');
  const final = stages.at(-1)!;
  assert.match(final.user ?? '', /^[1-9]\d*(:\d+)?$/, 'USER must be a numeric non-root uid');
  assert.deepEqual(final.entrypoint, ['node', ENTRYPOINT]);
  const deps = stages.find((s) => s.name === 'deps');
  assert.ok(deps?.instructions.some((i) => i.keyword === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args)));
  const submit = stages.find((s) => s.name === 'spark-submit');
  assert.ok(submit, 'a spark-submit target');
  assert.match(submit.user ?? '', /^[1-9]\d*(:\d+)?$/, 'the variant drops root again');
  assert.deepEqual(submit.entrypoint, ['node', ENTRYPOINT]);
  assert.ok(submit.env.SPARK_HOME, 'the variant sets SPARK_HOME');
});

test('the build context holds every file the entrypoint needs, and no tests or node_modules', () => {
  const { files } = importGraph(root, ENTRYPOINT);
  assert.ok(files.size > 20, `import graph of ${ENTRYPOINT} looks too small (${files.size})`);
  const ignore = dockerignore(readFileSync(join(root, '.dockerignore'), 'utf8'));
  const needed = [...files, 'package.json', 'package-lock.json'];
  const missing = needed.filter((f) => ignore.excludes(f));
  assert.deepEqual(missing, [], 'files the image needs but .dockerignore leaves out');
  for (const f of ['test/unit/deploy-image.test.ts', 'node_modules/yaml/package.json', 'bench/run.ts', '.git/HEAD']) {
    assert.ok(ignore.excludes(f), `${f} should not be in the build context`);
  }
});

test("the entrypoint's packages are production dependencies (the image installs with --omit=dev)", () => {
  const { packages } = importGraph(root, ENTRYPOINT);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const notProd = [...packages].filter((p) => !(p in (pkg.dependencies ?? {}))).sort();
  assert.deepEqual(notProd, [], 'imported by the entrypoint but not in "dependencies"');
});

test("the image's entrypoint runs with node and prints its help", () => {
  // The image runs `node src/cli/sparkop.ts` in /app; the same command here, with this repository as /app.
  const out = execFileSync(process.execPath, [ENTRYPOINT, '--help'], { cwd: root, encoding: 'utf8' });
  assert.match(out, /--namespaces/);
  assert.match(out, /--health-probe-bind-address/);
});
