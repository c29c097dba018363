// Control-plane instances on disk: one directory per instance under the state root, with a state.json naming its
// processes. `sparkctl cluster down|status` work from it, and every start sweeps instances whose owner died.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { commandLine, isAlive, terminate } from './processes.ts';
import { teardownRealNodeHost } from './realnode.ts';

export interface ClusterState {
  readonly name: string;
  readonly stateDir: string;
  readonly kubeconfig: string;
  readonly server: string;
  readonly kubectl: string;
  readonly detached: boolean;
  /** The process that started the instance. Attached instances are stale once it is gone; detached ones once it
   * and all their components are gone. */
  readonly ownerPid: number;
  readonly components: readonly { readonly name: string; readonly pid: number }[];
  readonly logsDir: string;
  /** Set when the instance runs a real node: the kubelet's root directory (its mounts are removed on teardown). */
  readonly realNodeKubeletRoot?: string;
}

export function defaultStateRoot(): string {
  if (process.env.SPARKOP_STATE_DIR) return process.env.SPARKOP_STATE_DIR;
  const base = process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state');
  return join(base, 'sparkop', 'clusters');
}

export function writeState(state: ClusterState): void {
  const path = join(state.stateDir, 'state.json');
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

export function readState(stateDir: string): ClusterState | undefined {
  try {
    return JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

export function listInstances(stateRoot: string): ClusterState[] {
  if (!existsSync(stateRoot)) return [];
  return readdirSync(stateRoot)
    .sort()
    .map((name) => readState(join(stateRoot, name)))
    .filter((s): s is ClusterState => s !== undefined);
}

/** A recorded pid still belongs to the instance only if its command line names the instance's state directory. */
function livePids(state: ClusterState): number[] {
  return state.components
    .map((c) => c.pid)
    .filter((pid) => isAlive(pid) && (commandLine(pid)?.includes(state.stateDir) ?? false));
}

/** Stops an instance's processes (in reverse start order) and removes its state directory. */
export async function destroyInstance(state: ClusterState): Promise<void> {
  const owned = new Set(livePids(state));
  for (const component of [...state.components].reverse()) {
    if (owned.has(component.pid)) await terminate(component.pid);
  }
  if (state.realNodeKubeletRoot) await teardownRealNodeHost(state.realNodeKubeletRoot);
  rmSync(state.stateDir, { recursive: true, force: true });
}

/**
 * Removes what crashed runs left behind: attached instances whose owner is gone (their processes normally died with
 * it; any survivor is stopped) and detached instances none of whose processes run any more.
 */
export async function sweepStaleInstances(stateRoot: string, log: (message: string) => void): Promise<void> {
  if (!existsSync(stateRoot)) return;
  for (const name of readdirSync(stateRoot)) {
    const dir = join(stateRoot, name);
    const state = readState(dir);
    // Every instance writes its state.json first thing; a directory without one is not ours to remove.
    if (!state) continue;
    const ownerGone = !isAlive(state.ownerPid);
    if (ownerGone && (!state.detached || livePids(state).length === 0)) {
      log(`removing stale control plane ${state.name}`);
      await destroyInstance(state);
    }
  }
}
