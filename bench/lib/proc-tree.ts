// A process and its descendants, from /proc: CPU seconds and resident memory of the whole tree. kubeflow's operator
// runs one spark-submit (a shell script that execs a JVM) per application; their CPU and memory are part of what
// it costs. Linux only.
import { readdirSync, readFileSync } from 'node:fs';
import { sampleProc } from './proc.ts';

const USER_HZ = 100;

interface StatFields {
  readonly ppid: number;
  /** utime + stime + cutime + cstime, seconds: the process and its children it has waited for. */
  readonly cpuWithReapedSeconds: number;
}

function readStat(pid: number): StatFields | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields from the closing parenthesis on (the command name may hold spaces): state is [0], ppid [1], utime [11],
  // stime [12], cutime [13], cstime [14].
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const n = (i: number) => Number(f[i] ?? 0);
  return { ppid: n(1), cpuWithReapedSeconds: (n(11) + n(12) + n(13) + n(14)) / USER_HZ };
}

/** `root` and every live descendant of it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = readStat(pid);
    if (!s) continue;
    const list = children.get(s.ppid) ?? [];
    list.push(pid);
    children.set(s.ppid, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

export interface TreeSample {
  /**
   * CPU seconds of the whole tree so far: each live process's own time plus what it has reaped of its children
   * (cutime + cstime). A child's time moves into its parent's once waited for, so every tick counts once — Go's
   * exec.Cmd waits for every spark-submit it starts.
   */
  readonly cpuSeconds: number;
  /** Sum of the live processes' RSS. */
  readonly rssBytes: number;
  /** The root's own RSS. */
  readonly rootRssBytes: number;
  readonly processes: number;
}

export function sampleTree(root: number): TreeSample | undefined {
  const rootSample = sampleProc(root);
  if (!rootSample) return undefined;
  let cpu = 0;
  let rss = 0;
  const pids = processTree(root);
  for (const pid of pids) {
    const stat = readStat(pid);
    const proc = sampleProc(pid);
    if (!stat || !proc) continue;
    cpu += stat.cpuWithReapedSeconds;
    rss += proc.rssBytes;
  }
  return { cpuSeconds: cpu, rssBytes: rss, rootRssBytes: rootSample.rssBytes, processes: pids.length };
}

/**
 * Samples a process tree every `intervalMs` until stopped: the peak of the tree's summed RSS, the root's peak, and
 * the most processes seen at once (a short-lived JVM between two samples is missed: the peak is a lower bound).
 */
export class TreePeakSampler {
  readonly #root: number;
  readonly #timer: NodeJS.Timeout;
  peakTreeRssBytes = 0;
  peakRootRssBytes = 0;
  peakProcesses = 0;

  constructor(root: number, intervalMs = 200) {
    this.#root = root;
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.sample();
  }

  sample(): void {
    const s = sampleTree(this.#root);
    if (!s) return;
    this.peakTreeRssBytes = Math.max(this.peakTreeRssBytes, s.rssBytes);
    this.peakRootRssBytes = Math.max(this.peakRootRssBytes, s.rootRssBytes);
    this.peakProcesses = Math.max(this.peakProcesses, s.processes);
  }

  stop(): void {
    this.sample();
    clearInterval(this.#timer);
  }
}
