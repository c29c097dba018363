// Starting, waiting for and stopping the control plane's processes.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ComponentSpec {
  /** Short name, also the log file's name. */
  readonly name: string;
  readonly binary: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly env?: Readonly<Record<string, string>>;
}

export interface StartOptions {
  /**
   * Attached processes die with the process that started them (PR_SET_PDEATHSIG through util-linux `setpriv`),
   * so a test run killed with -9 leaves nothing behind. Detached ones outlive it (`sparkctl cluster up`).
   */
  readonly detached: boolean;
}

export interface RunningComponent {
  readonly spec: ComponentSpec;
  readonly pid: number;
  /** Resolves with the exit code (or signal) when the process ends. */
  readonly exited: Promise<string>;
  hasExited(): boolean;
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export function startComponent(spec: ComponentSpec, options: StartOptions): RunningComponent {
  const out = openSync(spec.logFile, 'a');
  let command = spec.binary;
  let args = [...spec.args];
  if (!options.detached && SETPRIV) {
    // setpriv execs the binary in place: the pid we record is the component's own.
    args = ['--pdeathsig', 'KILL', '--', command, ...args];
    command = SETPRIV;
  }
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      stdio: ['ignore', out, out],
      detached: options.detached,
      env: { ...process.env, ...spec.env },
    });
  } finally {
    closeSync(out);
  }
  if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.binary})`);
  let done = false;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(signal ? `signal ${signal}` : `exit code ${code}`);
    });
    child.once('error', (err) => {
      done = true;
      resolve(`spawn error: ${err.message}`);
    });
  });
  if (options.detached) child.unref();
  return { spec, pid: child.pid, exited, hasExited: () => done };
}

/** The last lines of a component's log, for error messages. */
export function logTail(logFile: string, lines = 25): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Polls `probe` until it returns true. Fails early, with the component's log tail, when the process exits, and
 * when `timeoutMs` passes.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; component?: RunningComponent; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  for (;;) {
    if (options.component?.hasExited()) {
      const how = await options.component.exited;
      throw new Error(
        `${what}: ${options.component.spec.name} exited (${how}) before it was ready. Last log lines ` +
          `(${options.component.spec.logFile}):\n${logTail(options.component.spec.logFile)}`,
      );
    }
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) {
      const log = options.component
        ? `\nLast log lines (${options.component.spec.logFile}):\n${logTail(options.component.spec.logFile)}`
        : '';
      throw new Error(`${what}: not ready after ${options.timeoutMs} ms${lastError ? ` (${lastError})` : ''}${log}`);
    }
    await sleep(options.intervalMs ?? 100);
  }
}

/** True while the process runs; a zombie (exited, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/** The command line of a live process, or undefined. Used to make sure a recorded pid is still ours. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the pid is gone. */
export async function terminate(pid: number, graceMs = 5000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        return;
      }
      break;
    }
    await sleep(50);
  }
  // After SIGKILL the kernel needs a moment.
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(20);
}

function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
