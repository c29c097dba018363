// Locates the control plane's binaries, building them first (scripts/controlplane/build.sh) when they are missing.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ControlPlaneBinaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kubectl: string;
  readonly kwok: string;
  /** The directory that holds kubectl, for PATH hints. */
  readonly kubernetesBinDir: string;
}

const BUILD_SCRIPT = resolve(fileURLToPath(import.meta.url), '../../../../scripts/controlplane/build.sh');

let cached: Promise<ControlPlaneBinaries> | undefined;

/**
 * Runs the build script (a no-op taking milliseconds when everything is cached). Its progress goes to this
 * process's stderr, so a first, cold build (many minutes) is visibly alive.
 */
export function ensureBinaries(): Promise<ControlPlaneBinaries> {
  cached ??= runBuild();
  return cached;
}

async function runBuild(): Promise<ControlPlaneBinaries> {
  const dirs = await runBuildScript(BUILD_SCRIPT, ['all'], 'building the control plane');
  const etcdBin = dirs.get('ETCD_BIN');
  const kubeBin = dirs.get('KUBERNETES_BIN');
  const kwokBin = dirs.get('KWOK_BIN');
  if (!etcdBin || !kubeBin || !kwokBin) throw new Error(`unexpected output from ${BUILD_SCRIPT}`);
  return {
    etcd: join(etcdBin, 'etcd'),
    kubeApiserver: join(kubeBin, 'kube-apiserver'),
    kubeControllerManager: join(kubeBin, 'kube-controller-manager'),
    kubeScheduler: join(kubeBin, 'kube-scheduler'),
    kubectl: join(kubeBin, 'kubectl'),
    kwok: join(kwokBin, 'kwok'),
    kubernetesBinDir: kubeBin,
  };
}

/**
 * Runs one of the project's build scripts (cached builds: milliseconds when nothing changed), its progress on this
 * process's stderr, and returns the KEY=VALUE lines it prints on stdout.
 */
export function runBuildScript(script: string, args: readonly string[], what: string): Promise<Map<string, string>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`${what} failed (${script} exited with ${code}); see its output above`));
        return;
      }
      resolvePromise(
        new Map(
          stdout
            .split('\n')
            .map((line) => /^([A-Z_]+)=(.*)$/.exec(line.trim()))
            .filter((m): m is RegExpExecArray => m !== null)
            .map((m) => [m[1] ?? '', m[2] ?? '']),
        ),
      );
    });
  });
}
