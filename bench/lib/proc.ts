// What /proc says about a process: CPU seconds used (user + system) and resident memory. Linux only.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime/stime (USER_HZ: 100 on every Linux we run on). */
const USER_HZ = 100;

export interface ProcSample {
  readonly cpuSeconds: number;
  readonly rssBytes: number;
  /** Peak RSS (VmHWM). */
  readonly peakRssBytes: number;
}

/** CPU seconds (user + system) used by `pid` so far, and its current RSS; undefined once the process is gone. */
export function sampleProc(pid: number): ProcSample | undefined {
  let stat: string;
  let status: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces: fields are counted from the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { cpuSeconds: (utime + stime) / USER_HZ, rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

/** CPU seconds used by each of `pids` between two samples (a process gone since counts as 0). */
export class CpuMeter {
  readonly #start = new Map<string, number>();
  readonly #pids: ReadonlyMap<string, number>;

  constructor(pids: ReadonlyMap<string, number>) {
    this.#pids = pids;
    for (const [name, pid] of pids) this.#start.set(name, sampleProc(pid)?.cpuSeconds ?? 0);
  }

  /** Seconds of CPU per named process since construction. */
  read(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, pid] of [...this.#pids].sort(([a], [b]) => a.localeCompare(b))) {
      const now = sampleProc(pid)?.cpuSeconds;
      out[name] = now === undefined ? 0 : now - (this.#start.get(name) ?? 0);
    }
    return out;
  }
}

/** The whole machine's CPU time between two samples (/proc/stat): how many of its cores were busy, on average. */
export class MachineCpuMeter {
  readonly #start = machineTicks();
  readonly #startMs = Date.now();

  /** Busy cores (user, nice, system, irq, softirq, steal) averaged since construction, and the wall seconds. */
  read(): { busyCores: number; seconds: number } {
    const now = machineTicks();
    const seconds = (Date.now() - this.#startMs) / 1000;
    return { busyCores: (now.busy - this.#start.busy) / USER_HZ / seconds, seconds };
  }
}

function machineTicks(): { busy: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return { busy: [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0) };
}
