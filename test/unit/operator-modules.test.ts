// The operator process loads only the packages it runs with. The schema library (typebox: about 700 modules), the
// X.509 library of the embedded control plane and the pretty log printer cost an idle operator about 30 MiB of RSS
// (`node dist/cli/sparkop.js` against a cluster with the CRDs, VmRSS 20 s after the start: 121–125 MiB with them
// loaded, 92 MiB without); they are loaded on demand: when a CRD is missing, when a control plane starts, when
// pretty logs are asked for.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The npm packages `node <entry> <args>` resolves, in the order it first resolves them. */
function packagesLoaded(entry: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'sparkop-modules-'));
  try {
    const hook = join(dir, 'hook.mjs');
    writeFileSync(
      hook,
      `import { registerHooks } from 'node:module';
const seen = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(result.url);
    if (match) seen.add(match[1]);
    return result;
  },
});
process.on('exit', () => process.stderr.write('PACKAGES ' + JSON.stringify([...seen]) + '\\n'));
`,
    );
    const run = spawnSync(process.execPath, ['--import', hook, join(ROOT, entry), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    const stderr = run.stderr ?? '';
    assert.match(stderr, /PACKAGES /, `node ${entry} ${args.join(' ')} did not finish: ${stderr}`);
    return JSON.parse(/PACKAGES (.*)/.exec(stderr)?.[1] ?? '[]') as string[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the operator process does not load the schema, X.509 or pretty-log libraries', () => {
  // --help loads every module the operator's entry imports, then exits.
  const loaded = packagesLoaded('src/cli/sparkop.ts', ['--help'], { SPARKOP_LOG_FORMAT: '' });
  assert.ok(
    loaded.includes('pino') && loaded.includes('prom-client'),
    `the hook saw the operator's packages: ${loaded}`,
  );
  for (const heavy of ['typebox', '@peculiar/x509', 'pino-pretty', '@kubernetes/client-node']) {
    assert.ok(!loaded.includes(heavy), `${heavy} is loaded by the operator at start: ${loaded.join(', ')}`);
  }
});

test('the libraries loaded on demand are still there when needed', async () => {
  // The CLI validates manifests with the schemas (typebox), as before.
  assert.ok(packagesLoaded('src/cli/sparkctl.ts', ['--help']).includes('typebox'));
  // Pretty logs load pino-pretty when asked for.
  const { newLogger } = await import('../../src/runtime/log.ts');
  const { PassThrough } = await import('node:stream');
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  newLogger({ pretty: true, destination: out, name: 'modules-test' }).info('hello pretty');
  assert.match(text, /INFO.*modules-test.*hello pretty/s);
});

test('the CRD names the operator checks at start are those of every CRD it would install', async () => {
  const { OPERATOR_CRD_NAMES } = await import('../../src/operator/crds.ts');
  const { allCrds } = await import('../../src/api/index.ts');
  assert.deepEqual(
    [...OPERATOR_CRD_NAMES].sort(),
    allCrds()
      .map((crd) => crd.metadata.name)
      .sort(),
  );
});
