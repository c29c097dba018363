// `npm start` without a cluster: the embedded control plane in a private state dir, the export line, the example
// application to COMPLETED, and SIGINT stopping the operator, then every control plane process.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { eventually } from '../support/kube.ts';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

/** Processes whose command line names the state dir (the control plane's components all do). */
async function processesUsing(dir: string): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,args=']);
  return stdout.split('\n').filter((l) => l.includes(dir) && !l.includes('ps -eo'));
}

test('npm start with no cluster: embedded control plane, the example completes, SIGINT stops everything', async (t) => {
  const state = mkdtempSync(join(tmpdir(), 'sparkop-embedded-'));
  t.after(() => rmSync(state, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, SPARKOP_STATE_DIR: state };
  delete env.KUBECONFIG;
  let output = '';
  const child = spawn(
    process.execPath,
    [
      join(root, 'src/cli/sparkop.ts'),
      '--local',
      '--metrics-bind-address=127.0.0.1:0',
      '--health-probe-bind-address=127.0.0.1:0',
    ],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const kubeconfig = await eventually(
    'the export KUBECONFIG line',
    async () => /^ {2}export KUBECONFIG=(\S+)$/m.exec(output)?.[1],
    { timeoutMs: 120_000, intervalMs: 250 },
  );
  assert.equal(kubeconfig, join(state, 'sparkop', 'kubeconfig'));
  assert.match(output, /npx sparkctl create -f examples\/spark-pi.yaml/);

  const sparkctl = (...args: string[]) =>
    run(process.execPath, [join(root, 'src/cli/sparkctl.ts'), ...args], {
      cwd: root,
      env: { ...env, KUBECONFIG: kubeconfig },
    });
  // On failure, say what the operator printed (it may have stopped, and removed its state, meanwhile).
  const created = await sparkctl('create', '-f', 'examples/spark-pi.yaml').catch((err: Error) => {
    throw new Error(`${err.message}\n--- operator output (exit code ${child.exitCode}) ---\n${output}`, { cause: err });
  });
  assert.equal(created.stdout, 'sparkapplication.sparkoperator.k8s.io/spark-pi created\n');
  await eventually('spark-pi COMPLETED', async () => /^spark-pi\s+COMPLETED\s/m.test((await sparkctl('list')).stdout), {
    timeoutMs: 60_000,
    intervalMs: 500,
  });
  assert.ok((await processesUsing(state)).length >= 5, 'the control plane runs');

  child.kill('SIGINT');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, output.slice(-2000));
  assert.match(output, /SIGINT: stopping the operator, then the control plane/);
  assert.match(output, /\[sparkop\] stopped/);
  assert.deepEqual(await processesUsing(state), []);
  assert.ok(!existsSync(join(state, 'sparkop')) || readdirSync(join(state, 'sparkop')).length === 0);
});
