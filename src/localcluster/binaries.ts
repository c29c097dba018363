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

const BUILD_SCRIPT = resolve(fileURLToPath(import.meta.url), '../../../scripts/controlplane/build.sh');

let cached: Promise<ControlPlaneBinaries> | undefined;

/**
 * Runs the build script (a no-op taking milliseconds when everything is cached). Its progress goes to this
 * process's stderr, so a first, cold build (many minutes) is visibly alive.
 */
export function ensureBinaries(): Promise<ControlPlaneBinaries> {
  cached ??= runBuild();
  return cached;
}

function runBuild(): Promise<ControlPlaneBinaries> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [BUILD_SCRIPT, 'all'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) {
        reject(
          new Error(`building the control plane failed (${BUILD_SCRIPT} exited with ${code}); see its output above`),
        );
        return;
      }
      const dirs = Object.fromEntries(
        stdout
          .split('\n')
          .map((line) => /^([A-Z_]+)=(.*)$/.exec(line.trim()))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => [m[1], m[2]]),
      );
      const etcdBin = dirs.ETCD_BIN;
      const kubeBin = dirs.KUBERNETES_BIN;
      const kwokBin = dirs.KWOK_BIN;
      if (!etcdBin || !kubeBin || !kwokBin) {
        reject(new Error(`unexpected output from ${BUILD_SCRIPT}:\n${stdout}`));
        return;
      }
      resolvePromise({
        etcd: join(etcdBin, 'etcd'),
        kubeApiserver: join(kubeBin, 'kube-apiserver'),
        kubeControllerManager: join(kubeBin, 'kube-controller-manager'),
        kubeScheduler: join(kubeBin, 'kube-scheduler'),
        kubectl: join(kubeBin, 'kubectl'),
        kwok: join(kwokBin, 'kwok'),
        kubernetesBinDir: kubeBin,
      });
    });
  });
}
