// V8's old-generation growth while the caches fill, and the fixed step (--heap-growing-percent, node-flags.ts) after.
//
// The operator runs with a small fixed growth step: after each full collection the old generation may grow by a
// quarter of what survived, which keeps RSS near the live heap in the steady state. While the initial lists fill the
// caches from nothing (a restart with 10 000 applications: about 120 MiB of cached objects in 12 s), the same step
// means a full collection each time the heap grows by a quarter — about ten collections over a growing heap, the
// largest item of the operator's CPU while it lists (garbage collection 2.8 s of 16 s busy in the restarted process's
// profile, `npm run bench -- scale --apps 10000 --executors 5 --namespaces 10 --cpu-prof-restart`). So, while the
// caches fill, V8 grows the heap its own way; once they are full, the step is set back and one full collection
// (124–146 ms) makes the next limit follow it from the live heap (without it the limit stays where the fill left it,
// up to four times the heap, and RSS climbs to it as objects are replaced). Measured with `npm run bench -- scale
// --apps 10000 --executors 5 --namespaces 10` at d9396b5, whose restarts could keep the fixed step throughout: the
// operator's CPU while a restart lists 3.59–4.55 s this way against 5.84–6.48 s with the fixed step; caught up at
// 10.09–12.32 s against 12.77–14.66 s. It is always on: a garbage-collector detail, not a setting for users; it does
// nothing when the process was started without a fixed step.
//
// V8 reads the growth flag each time it sets a new limit; Node keeps V8's flags writable after start for
// v8.setFlagsFromString.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The --heap-growing-percent the process was started with (node flags or NODE_OPTIONS); undefined if none. */
export function configuredHeapGrowingPercent(
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): number | undefined {
  const args = [...execArgv, ...(nodeOptions ?? '').split(/\s+/).filter((a) => a !== '')];
  let found: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const match = /^--heap[-_]growing[-_]percent(?:=(.*))?$/.exec(arg);
    if (!match) continue;
    const value = match[1] ?? args[i + 1];
    const percent = Number(value);
    // Like V8, the last one given wins; a value V8 would not take leaves the setting unknown.
    found = value !== undefined && Number.isInteger(percent) && percent >= 0 ? percent : undefined;
  }
  return found;
}

export interface HeapGrowthEffects {
  /** v8.setFlagsFromString. */
  readonly setFlags: (flags: string) => void;
  /** One full, blocking collection. */
  readonly collect: () => void;
  /** Bytes of V8 heap in use, for the log. */
  readonly heapUsed: () => number;
  readonly now: () => number;
}

export const realHeapGrowthEffects: HeapGrowthEffects = {
  setFlags: setFlagsFromString,
  collect: () => {
    // gc() without starting the process with --expose-gc: the flag exposes it to contexts created afterwards.
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  },
  heapUsed: () => process.memoryUsage().heapUsed,
  now: () => performance.now(),
};

export interface HeapGrowthRestored {
  readonly percent: number;
  readonly collectionMs: number;
  readonly heapUsedBeforeBytes: number;
  readonly heapUsedAfterBytes: number;
}

export interface HeapGrowthWhileFilling {
  /** Whether the growth was relaxed (the process has a fixed step to set back). */
  readonly relaxed: boolean;
  /** Sets the configured step back and collects once; undefined if nothing was relaxed or it was restored already. */
  restore(): HeapGrowthRestored | undefined;
}

/**
 * Lets V8 grow the heap its own way until restore(). Does nothing when the process has no fixed step
 * (configuredPercent undefined or 0: V8's own growth already).
 */
export function relaxHeapGrowth(
  configuredPercent: number | undefined,
  effects: HeapGrowthEffects = realHeapGrowthEffects,
): HeapGrowthWhileFilling {
  if (configuredPercent === undefined || configuredPercent === 0) {
    return { relaxed: false, restore: () => undefined };
  }
  effects.setFlags('--heap-growing-percent=0');
  let restored = false;
  return {
    relaxed: true,
    restore() {
      if (restored) return undefined;
      restored = true;
      effects.setFlags(`--heap-growing-percent=${configuredPercent}`);
      const before = effects.heapUsed();
      const start = effects.now();
      effects.collect();
      return {
        percent: configuredPercent,
        collectionMs: effects.now() - start,
        heapUsedBeforeBytes: before,
        heapUsedAfterBytes: effects.heapUsed(),
      };
    },
  };
}
