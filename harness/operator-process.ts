// The operator as it ships, `node dist/cli/sparkop.js` (the JavaScript scripts/build.sh emits, as in the image and
// `npm start`), in a child process of its own (so that its CPU and memory are its own in /proc), with metrics and
// probes on free loopback ports and its logs in a file.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONTROLLER_NAME as APP_CONTROLLER } from '../src/controllers/sparkapplication/index.ts';
import { OPERATOR_ENV, OPERATOR_NODE_FLAGS } from '../src/operator/node-flags.ts';
import { ServedProcess, spawnServed } from './served-process.ts';

const ROOT = join(import.meta.dirname, '..');
const SPARKOP = join(ROOT, 'dist', 'cli', 'sparkop.js');

let built = false;

/** Emits dist/ from the current sources, once per process (about 1 s), before the first operator starts. */
function buildOnce(): void {
  if (built) return;
  execFileSync('bash', [join(ROOT, 'scripts', 'build.sh')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  built = true;
}

export interface OperatorProcessOptions {
  readonly kubeconfigPath: string;
  /** --namespaces (comma-separated). */
  readonly namespaces: string;
  /** Where stdout and stderr go (appended). */
  readonly logFile: string;
  /** More sparkop flags, e.g. --controller-threads=16. */
  readonly flags?: readonly string[];
  /** Node flags, e.g. --cpu-prof. */
  readonly nodeFlags?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

export class OperatorProcess extends ServedProcess {
  /**
   * Starts the process; resolves once it is ready (see ready()), or rejects after `timeoutMs`. With
   * `waitReady: false` it resolves once the process is up (a leader-election candidate that may never lead).
   */
  static async start(options: OperatorProcessOptions, timeoutMs = 60_000, waitReady = true): Promise<OperatorProcess> {
    buildOnce();
    const spawned = await spawnServed({
      command: process.execPath,
      args: ({ metrics, health }) => [
        ...OPERATOR_NODE_FLAGS,
        ...(options.nodeFlags ?? []),
        SPARKOP,
        `--kubeconfig=${options.kubeconfigPath}`,
        `--namespaces=${options.namespaces}`,
        '--no-install-crds',
        `--metrics-bind-address=${metrics}`,
        `--health-probe-bind-address=${health}`,
        ...(options.flags ?? []),
      ],
      env: { ...process.env, ...OPERATOR_ENV, ...options.env },
      logFile: options.logFile,
    });
    const op = new OperatorProcess('the operator process', spawned);
    const { child } = op;
    const deadline = Date.now() + timeoutMs;
    while (!(waitReady ? await op.ready() : await op.probe())) {
      if (child.exitCode !== null) throw new Error(`the operator exited (${child.exitCode}); see ${options.logFile}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the operator was not ready within ${timeoutMs} ms; see ${options.logFile}`);
      }
      await sleep(50);
    }
    return op;
  }

  /**
   * The SparkApplication controller has started its workers: this process leads (or runs without leader election)
   * and that controller's caches (applications, pods, Services) are synced (it starts workers only then). /readyz
   * says less: it answers for the HTTP server and the caches as a whole, not for this controller.
   */
  async ready(): Promise<boolean> {
    // The SparkApplication controller's own line: the ScheduledSparkApplication controller, whose caches are
    // small, starts first.
    return this.controllerLogLine('starting workers') !== undefined;
  }

  /** The first log line of the SparkApplication controller with message `msg`, parsed; undefined if none yet. */
  controllerLogLine(msg: string): Record<string, unknown> | undefined {
    return this.logLine(msg, (line) => line.includes(`"controller":"${APP_CONTROLLER}"`));
  }

  /** The first log line with message `msg` (and, if given, passing `filter`), parsed; undefined if none yet. */
  logLine(msg: string, filter: (line: string) => boolean = () => true): Record<string, unknown> | undefined {
    for (const line of this.logText().split('\n')) {
      if (!line.includes(`"msg":${JSON.stringify(msg)}`) || !filter(line)) continue;
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        // a line cut by a concurrent write: not there yet
      }
    }
    return undefined;
  }

  /** Whether this process's log lines so far contain `text`. */
  logged(text: string): boolean {
    return this.logText().includes(text);
  }
}
