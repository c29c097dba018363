// An operator the harness runs in a child process (sparkop's or kubeflow's): metrics and health probes on free
// loopback ports, stdout and stderr appended to a log file, and what the harness asks of any of them — its own log
// lines, /readyz, /metrics, a kill or a graceful stop.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { freePorts } from '../src/dev/localcluster/ports.ts';
import { type Sample, scrape } from './metrics.ts';

export interface ServedProcessSpawn {
  readonly command: string;
  /** The arguments, given the addresses the process is to serve metrics and health probes on. */
  readonly args: (addresses: { readonly metrics: string; readonly health: string }) => readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Where stdout and stderr go (appended). */
  readonly logFile: string;
}

/** A process just spawned: what a ServedProcess is made from. */
export interface Spawned {
  readonly child: ChildProcess;
  readonly metricsAddress: string;
  readonly healthAddress: string;
  readonly logFile: string;
  /** Size of the log file when the process started: its own lines come after. */
  readonly logStart: number;
}

/** Starts a process to serve metrics and health probes on two free loopback ports. */
export async function spawnServed(options: ServedProcessSpawn): Promise<Spawned> {
  const [metricsPort, healthPort] = await freePorts(2);
  const metricsAddress = `127.0.0.1:${metricsPort}`;
  const healthAddress = `127.0.0.1:${healthPort}`;
  const log = openSync(options.logFile, 'a');
  const logStart = statSync(options.logFile).size;
  const child = spawn(options.command, [...options.args({ metrics: metricsAddress, health: healthAddress })], {
    stdio: ['ignore', log, log],
    env: options.env,
  });
  closeSync(log);
  return { child, metricsAddress, healthAddress, logFile: options.logFile, logStart };
}

export class ServedProcess {
  readonly child: ChildProcess;
  readonly metricsAddress: string;
  readonly healthAddress: string;
  readonly logFile: string;
  readonly exited: Promise<number | null>;
  /** What the process is called in errors. */
  readonly #name: string;
  readonly #logStart: number;

  protected constructor(name: string, spawned: Spawned) {
    this.#name = name;
    this.child = spawned.child;
    this.metricsAddress = spawned.metricsAddress;
    this.healthAddress = spawned.healthAddress;
    this.logFile = spawned.logFile;
    this.#logStart = spawned.logStart;
    this.exited = once(spawned.child, 'exit').then(([code]) => code as number | null);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.#name} did not start`);
    return this.child.pid;
  }

  /** This process's log so far. */
  logText(): string {
    const size = statSync(this.logFile).size - this.#logStart;
    if (size <= 0) return '';
    const fd = openSync(this.logFile, 'r');
    try {
      const buf = Buffer.alloc(size);
      readSync(fd, buf, 0, size, this.#logStart);
      return buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  }

  /** GET /readyz answers 200. */
  probe(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = request(`http://${this.healthAddress}/readyz`, { timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
      req.end();
    });
  }

  metrics(): Promise<Sample[]> {
    return scrape(this.metricsAddress);
  }

  /** SIGKILL, and wait for the exit. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful), and wait for the exit; SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
