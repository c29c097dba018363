// `npm start` without a cluster: the embedded control plane in a private state dir and the export line; the README's
// example and every kubeflow example, byte for byte, to their expected end (with `kubectl apply -f` and with
// `sparkctl create -f`); SIGINT stopping the operator, then every control plane process.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { sharedPath } from '../../harness/shared.ts';
import { ensureBinaries } from '../../src/dev/localcluster/binaries.ts';
import { eventually } from '../support/kube.ts';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const KUBEFLOW_EXAMPLES = sharedPath('examples', 'kubeflow');

/** Processes whose command line names the state dir (the control plane's components all do). */
async function processesUsing(dir: string): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,args=']);
  return stdout.split('\n').filter((l) => l.includes(dir) && !l.includes('ps -eo'));
}

interface Embedded {
  readonly child: ChildProcess;
  readonly state: string;
  readonly env: NodeJS.ProcessEnv;
  readonly kubeconfig: string;
  readonly output: () => string;
}

let embedded: Embedded | undefined;

before(async () => {
  const state = mkdtempSync(join(tmpdir(), 'sparkop-embedded-'));
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
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const kubeconfig = await eventually(
    'the export KUBECONFIG line',
    async () => /^ {2}export KUBECONFIG=(\S+)$/m.exec(output)?.[1],
    { timeoutMs: 120_000, intervalMs: 250 },
  );
  embedded = { child, state, env, kubeconfig, output: () => output };
});

after(() => {
  if (!embedded) return;
  if (embedded.child.exitCode === null) embedded.child.kill('SIGKILL');
  rmSync(embedded.state, { recursive: true, force: true });
});

function operator(): Embedded {
  if (!embedded) throw new Error('the embedded operator did not start');
  return embedded;
}

/** Runs a CLI against the embedded cluster; a failure carries what the operator printed (it may have stopped). */
async function cli(command: string[], input?: string): Promise<{ stdout: string; stderr: string; code: number }> {
  const op = operator();
  return new Promise((done) => {
    const child = execFile(
      command[0] ?? '',
      command.slice(1),
      { cwd: root, env: { ...op.env, KUBECONFIG: op.kubeconfig }, maxBuffer: 32 << 20 },
      (err, stdout, stderr) => done({ stdout, stderr, code: err ? Number((err as { code?: number }).code ?? 1) : 0 }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

async function ok(command: string[], input?: string): Promise<string> {
  const result = await cli(command, input);
  if (result.code !== 0) {
    const op = operator();
    throw new Error(
      `${command.join(' ')} exited ${result.code}: ${result.stderr}\n--- operator output (exit code ${op.child.exitCode}) ---\n${op.output().slice(-4000)}`,
    );
  }
  return result.stdout;
}

const sparkctl = (...args: string[]) => [process.execPath, join(root, 'src/cli/sparkctl.ts'), ...args];
const kubectl = async (...args: string[]) => [(await ensureBinaries()).kubectl, ...args];

test("README's example: examples/spark-pi.yaml is kubeflow's spark-pi.yaml, and it completes", async () => {
  const op = operator();
  assert.equal(op.kubeconfig, join(op.state, 'sparkop', 'kubeconfig'));
  assert.match(op.output(), /npx sparkctl create -f examples\/spark-pi.yaml/);
  assert.equal(
    readFileSync(join(root, 'examples', 'spark-pi.yaml'), 'utf8'),
    readFileSync(join(KUBEFLOW_EXAMPLES, 'spark-pi.yaml'), 'utf8'),
  );
  assert.equal(
    await ok(sparkctl('create', '-f', 'examples/spark-pi.yaml')),
    'sparkapplication.sparkoperator.k8s.io/spark-pi created\n',
  );
  await eventually('spark-pi COMPLETED', async () => /^spark-pi\s+COMPLETED\s/m.test(await ok(sparkctl('list'))), {
    timeoutMs: 60_000,
    intervalMs: 500,
  });
  assert.ok((await processesUsing(op.state)).length >= 5, 'the control plane runs');
  await ok(sparkctl('delete', 'spark-pi'));
});

/** One kubeflow example file: its text as applied and the SparkApplications it declares. */
interface Example {
  readonly file: string;
  readonly text: string;
  readonly apps: readonly string[];
}

function kubeflowExamples(): Example[] {
  if (!existsSync(KUBEFLOW_EXAMPLES)) throw new Error(`kubeflow examples not found at ${KUBEFLOW_EXAMPLES}`);
  return readdirSync(KUBEFLOW_EXAMPLES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      // The one exception the examples' NOTICE.md names: registry placeholders that make the file invalid YAML.
      const text = readFileSync(join(KUBEFLOW_EXAMPLES, file), 'utf8').replaceAll(
        '{IMAGE_REGISTRY}/{IMAGE_REPOSITORY}/',
        '',
      );
      const apps = parseAllDocuments(text)
        .map((d) => d.toJS() as { kind?: string; metadata?: { name?: string } } | null)
        .filter((o) => o?.kind === 'SparkApplication')
        .map((o) => o?.metadata?.name ?? '');
      return { file, text, apps };
    });
}

/** Files in groups whose application names do not repeat (several examples are all named spark-pi). */
function waves(examples: readonly Example[]): Example[][] {
  const out: Example[][] = [];
  for (const example of examples) {
    const wave = out.find((w) => !w.some((e) => e.apps.some((a) => example.apps.includes(a))));
    if (wave) wave.push(example);
    else out.push([example]);
  }
  return out;
}

interface AppView {
  readonly name: string;
  readonly state: string;
  readonly attempts: number;
  readonly labels: Record<string, string>;
}

async function applications(): Promise<Map<string, AppView>> {
  const list = JSON.parse(await ok(await kubectl('get', 'sparkapplications', '-n', 'default', '-o', 'json'))) as {
    items: {
      metadata: { name: string; labels?: Record<string, string> };
      status?: { applicationState?: { state?: string }; submissionAttempts?: number };
    }[];
  };
  return new Map(
    list.items.map((i) => [
      i.metadata.name,
      {
        name: i.metadata.name,
        state: i.status?.applicationState?.state ?? '',
        attempts: i.status?.submissionAttempts ?? 0,
        labels: i.metadata.labels ?? {},
      },
    ]),
  );
}

const TTL_EXAMPLE = 'spark-pi-ttl.yaml';
const SCHEDULED_EXAMPLE = 'spark-pi-scheduled.yaml';
const IGNORED_BATCH_SCHEDULERS = ['spark-pi-volcano', 'spark-pi-yunikorn', 'spark-pi-kube-scheduler'];

/** Creates every file of a wave with `tool`, then waits for each application's end: COMPLETED, once, no retry. */
async function runWave(tool: 'kubectl apply' | 'sparkctl create', wave: readonly Example[]): Promise<void> {
  for (const { text } of wave) {
    if (tool === 'kubectl apply') await ok(await kubectl('apply', '-f', '-'), text);
    else await ok(sparkctl('create', '-f', '-'), text);
  }
  const names = wave.flatMap((e) => e.apps);
  const seen = new Map<string, AppView>();
  await eventually(
    `${tool}: ${names.join(', ')} COMPLETED`,
    async () => {
      const now = await applications();
      for (const name of names) {
        const app = now.get(name);
        if (app?.state === 'COMPLETED' || app?.state === 'FAILED') seen.set(name, app);
      }
      return names.every((n) => seen.has(n)) || undefined;
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  );
  for (const name of names) {
    assert.equal(seen.get(name)?.state, 'COMPLETED', `${tool}: ${name}`);
    assert.equal(seen.get(name)?.attempts, 1, `${tool}: ${name} submitted once`);
  }
  // kubeflow's spark-pi-ttl.yaml: deleted 30 s after it ended.
  if (wave.some((e) => e.file === TTL_EXAMPLE)) {
    await eventually('spark-pi-ttl deleted by its TTL', async () => !(await applications()).has('spark-pi-ttl'), {
      timeoutMs: 60_000,
      intervalMs: 1000,
    });
  }
  for (const { text } of wave) await ok(await kubectl('delete', '--ignore-not-found', '--wait=true', '-f', '-'), text);
}

test('every kubeflow example, byte for byte, reaches its end with kubectl apply -f and with sparkctl create -f', async () => {
  const all = kubeflowExamples();
  assert.ok(all.length >= 14, `only ${all.length} examples`);
  const scheduled = all.find((e) => e.file === SCHEDULED_EXAMPLE);
  assert.ok(scheduled);
  // The schedule ("@every 3m") first: its first run is due three minutes after it is created.
  const createdAt = Date.now();
  assert.equal(
    await ok(sparkctl('create', '-f', '-'), scheduled.text),
    'scheduledsparkapplication.sparkoperator.k8s.io/spark-pi-scheduled created\n',
  );
  assert.match(
    await ok(await kubectl('apply', '-f', '-'), scheduled.text),
    /spark-pi-scheduled (unchanged|configured)/,
  );

  const others = waves(all.filter((e) => e !== scheduled));
  for (const wave of others) await runWave('kubectl apply', wave);
  for (const wave of others) await runWave('sparkctl create', wave);

  // Batch scheduling is off by default, as in kubeflow's chart: their scheduler was ignored, and each was told so.
  const events = JSON.parse(
    await ok(
      await kubectl(
        'get',
        'events',
        '-n',
        'default',
        '--field-selector',
        'reason=SparkApplicationBatchSchedulerIgnored',
        '-o',
        'json',
      ),
    ),
  ) as { items: { involvedObject: { name: string }; message: string }[] };
  for (const name of IGNORED_BATCH_SCHEDULERS) {
    const event = events.items.find((e) => e.involvedObject.name === name);
    assert.match(event?.message ?? '', /ignored: batch scheduling is off/, name);
  }

  // The schedule's first run: created on time, labelled as kubeflow labels runs, COMPLETED, in the history.
  const run = await eventually(
    'the first scheduled run COMPLETED',
    async () =>
      [...(await applications()).values()].find(
        (a) => a.labels['sparkoperator.k8s.io/scheduled-app-name'] === 'spark-pi-scheduled' && a.state === 'COMPLETED',
      ),
    { timeoutMs: 4 * 60_000, intervalMs: 1000 },
  );
  assert.ok(Date.now() - createdAt >= 170_000, 'the run waited for its time');
  const schedule = JSON.parse(
    await ok(await kubectl('get', 'scheduledsparkapplication', 'spark-pi-scheduled', '-n', 'default', '-o', 'json')),
  ) as { status?: { lastRunName?: string; scheduleState?: string } };
  assert.equal(schedule.status?.scheduleState, 'Scheduled');
  assert.equal(schedule.status?.lastRunName, run.name);
  await ok(await kubectl('delete', '--wait=true', '-f', '-'), scheduled.text);
});

test('SIGINT stops the operator, then every control plane process', async () => {
  const op = operator();
  op.child.kill('SIGINT');
  const [code] = await once(op.child, 'exit');
  const output = op.output();
  assert.equal(code, 0, output.slice(-2000));
  assert.match(output, /SIGINT: stopping the operator, then the control plane/);
  assert.match(output, /\[sparkop\] stopped/);
  assert.deepEqual(await processesUsing(op.state), []);
  assert.ok(!existsSync(join(op.state, 'sparkop')) || readdirSync(join(op.state, 'sparkop')).length === 0);
});
