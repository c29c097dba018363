// The container image, checked without Docker (the machine has no engine): the Dockerfile's shape (multi-stage, a
// build stage that emits dist/, numeric non-root USER, the entrypoint), the build context (.dockerignore) holds every
// file the emit needs and nothing of tests or node_modules, the entrypoint's packages are production dependencies,
// and the image's command runs here on the JavaScript scripts/build.sh emits.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDockerfile } from '../../src/dev/deploy/dockerfile.ts';
import { dockerignore } from '../../src/dev/deploy/dockerignore.ts';
import { importGraph } from '../../src/dev/deploy/import-graph.ts';
import { OPERATOR_ENV, OPERATOR_NODE_FLAGS } from '../../src/operator/node-flags.ts';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
/** What the image runs: the emitted JavaScript. */
const ENTRYPOINT = 'dist/cli/sparkop.js';
/** What it is emitted from. */
const SOURCE = 'src/cli/sparkop.ts';
/** Development tooling (the local control plane, the Spark simulator): the image does not carry it. */
const isDevTooling = (file: string) => /^(src|dist)\/dev\//.test(file);

const productionDependencies = (): Record<string, string> =>
  (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> })
    .dependencies ?? {};

test('the Dockerfile is multi-stage, emits dist/ in a build stage, runs as a numeric non-root user, and starts node dist/cli/sparkop.js', () => {
  const stages = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  assert.ok(stages.length >= 4, 'deps, build, operator, spark-submit');
  const final = stages.at(-1)!;
  assert.match(final.user ?? '', /^[1-9]\d*(:\d+)?$/, 'USER must be a numeric non-root uid');
  assert.deepEqual(final.entrypoint, ['node', ...OPERATOR_NODE_FLAGS, ENTRYPOINT]);
  for (const [name, value] of Object.entries(OPERATOR_ENV)) assert.equal(final.env[name], value, `ENV ${name}`);
  const deps = stages.find((s) => s.name === 'deps');
  assert.ok(deps?.instructions.some((i) => i.keyword === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args)));
  const build = stages.find((s) => s.name === 'build');
  assert.ok(build, 'a build stage');
  const runs = build.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
  assert.ok(
    runs.some((r) => /npm ci\b/.test(r) && !/--omit=dev/.test(r)),
    'the build stage installs the dev dependencies (tsc)',
  );
  assert.ok(
    runs.some((r) => /\btsc\b.*-p tsconfig\.build\.json/.test(r)),
    'the build stage emits with tsconfig.build.json',
  );
  const operator = stages.find((s) => s.name === 'operator');
  assert.ok(operator, 'an operator stage');
  const copies = operator.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
  assert.ok(
    copies.some((c) => /^--from=build\s+\/app\/dist\s+\.\/dist$/.test(c)),
    'the operator stage copies dist/ from the build stage',
  );
  assert.ok(!copies.some((c) => /(^|\s)\.?\/?src\b/.test(c)), 'the operator stage holds no sources');
  const submit = stages.find((s) => s.name === 'spark-submit');
  assert.ok(submit, 'a spark-submit target');
  assert.match(submit.user ?? '', /^[1-9]\d*(:\d+)?$/, 'the variant drops root again');
  assert.deepEqual(submit.entrypoint, ['node', ...OPERATOR_NODE_FLAGS, ENTRYPOINT]);
  assert.ok(submit.env.SPARK_HOME, 'the variant sets SPARK_HOME');
});

test('the development tooling (src/dev/) is reached from the operator only by dynamic imports, and not built in', () => {
  const statically = [...importGraph(root, SOURCE, { dynamic: false }).files].filter(isDevTooling);
  assert.deepEqual(statically, [], 'src/dev/ modules the operator loads whatever its flags');
  const dynamically = [...importGraph(root, SOURCE).files].filter(isDevTooling);
  assert.ok(dynamically.length > 0, 'the embedded mode loads the local control plane on demand');
  const ignore = dockerignore(readFileSync(join(root, '.dockerignore'), 'utf8'));
  for (const f of dynamically) assert.ok(ignore.excludes(f), `${f} should not be in the build context`);
});

test('the build context holds every file the emit needs, and no tests, node_modules or dist/', () => {
  const { files } = importGraph(root, SOURCE, { skip: isDevTooling });
  assert.ok(files.size > 20, `import graph of ${SOURCE} looks too small (${files.size})`);
  const ignore = dockerignore(readFileSync(join(root, '.dockerignore'), 'utf8'));
  const needed = [...files, 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
  const missing = needed.filter((f) => ignore.excludes(f));
  assert.deepEqual(missing, [], 'files the image needs but .dockerignore leaves out');
  for (const f of [
    'test/unit/deploy-image.test.ts',
    'node_modules/yaml/package.json',
    'bench/run.ts',
    '.git/HEAD',
    ENTRYPOINT,
  ]) {
    assert.ok(ignore.excludes(f), `${f} should not be in the build context`);
  }
});

test("the entrypoint's packages are production dependencies (the image installs with --omit=dev)", () => {
  // The sources' import graph: type-only imports count too, a superset of what the emitted JavaScript imports.
  const { packages } = importGraph(root, SOURCE, { skip: isDevTooling });
  const prod = productionDependencies();
  const notProd = [...packages].filter((p) => !(p in prod)).sort();
  assert.deepEqual(notProd, [], 'imported by the entrypoint but not in "dependencies"');
});

test("the image's command runs on the emitted JavaScript: scripts/build.sh, then node dist/cli/sparkop.js --help", () => {
  // Fails (throws) when the emit does; dist/ is then left as it was, and is not what is tested below.
  execFileSync('bash', [join(root, 'scripts/build.sh')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  // The image runs `node dist/cli/sparkop.js` in /app; the same command here, with this repository as /app.
  const out = execFileSync(process.execPath, [...OPERATOR_NODE_FLAGS, ENTRYPOINT, '--help'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.match(out, /--namespaces/);
  assert.match(out, /--health-probe-bind-address/);

  // Everything it loads is in dist/ (the only part of the repository the image copies): JavaScript with .js
  // specifiers, and the JSON files emitted next to their modules; its packages are production dependencies.
  const { files, packages } = importGraph(root, ENTRYPOINT, { skip: isDevTooling });
  const outside = [...files].filter((f) => !/^dist\/.+\.(js|json)$/.test(f));
  assert.deepEqual(outside, [], 'files the emitted operator loads from outside dist/ (or not emitted)');
  assert.ok(files.has('dist/api/k8s/definitions.json'), 'the Kubernetes definitions are emitted next to their module');
  const prod = productionDependencies();
  assert.deepEqual([...packages].filter((p) => !(p in prod)).sort(), [], 'imported by dist/ but not in "dependencies"');
  // Every module of the sources' graph has its emitted twin.
  const notEmitted = [...importGraph(root, SOURCE, { skip: isDevTooling }).files]
    .map((f) => f.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js'))
    .filter((f) => !existsSync(join(root, f)));
  assert.deepEqual(notEmitted, [], 'modules of the sources with no file in dist/');
});

test("npm start runs the operator with the image's Node flags and environment", () => {
  const start = readFileSync(join(root, 'scripts', 'start.sh'), 'utf8');
  assert.match(start, new RegExp(`^exec node ${OPERATOR_NODE_FLAGS.join(' ')} ${ENTRYPOINT} "\\$@"$`, 'm'));
  for (const [name, value] of Object.entries(OPERATOR_ENV)) {
    assert.match(start, new RegExp(`^export ${name}=${value}$`, 'm'), `start.sh exports ${name}`);
  }
});
