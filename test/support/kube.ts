// Test fixtures: the run's shared control plane and a fresh namespace per test.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ensureBinaries } from '../../src/dev/localcluster/binaries.ts';
import { LocalCluster } from '../../src/dev/localcluster/cluster.ts';

export interface SharedCluster {
  readonly kubeconfigPath: string;
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
}

let shared: Promise<SharedCluster> | undefined;

/**
 * The run's control plane (started by test/support/global-setup.ts). A test file run on its own, without the
 * global setup, starts a private one that stops when the file's process exits.
 */
export function sharedCluster(): Promise<SharedCluster> {
  shared ??= (async () => {
    let path = process.env.SPARKOP_TEST_KUBECONFIG;
    if (!path) {
      const own = await LocalCluster.start({ name: `test-file-${process.pid}` });
      process.once('beforeExit', () => void own.stop());
      path = own.kubeconfigPath;
    }
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    return { kubeconfigPath: path, kc, core: kc.makeApiClient(CoreV1Api) };
  })();
  return shared;
}

export interface TestNamespace extends SharedCluster {
  readonly namespace: string;
}

/** A namespace of its own for one test, deleted when the test ends; resolves once pods can be created in it. */
export async function testNamespace(t: TestContext): Promise<TestNamespace> {
  const cluster = await sharedCluster();
  const slug = t.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
  const namespace = `t-${slug}-${randomBytes(3).toString('hex')}`.replace(/--+/g, '-');
  await cluster.core.createNamespace({
    body: { metadata: { name: namespace, labels: { 'sparkop.dev/test': 'true' } } },
  });
  t.after(async () => {
    await cluster.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  });
  // Pods are admitted only once the namespace's default ServiceAccount exists (made by the controller manager).
  await eventually('default service account', async () => {
    await cluster.core.readNamespacedServiceAccount({ name: 'default', namespace });
    return true;
  });
  return { ...cluster, namespace };
}

/** Polls until `check` returns a value other than false/undefined; rethrows the last error on timeout. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | false | undefined>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== false && value !== undefined) return value;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const reason = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out waiting for ${what}${reason}`);
    }
    await sleep(options.intervalMs ?? 100);
  }
}

/** Runs the control plane's kubectl against the run's cluster; `input` goes to its stdin. Never throws. */
export async function kubectl(args: readonly string[], input?: string): Promise<{ code: number; out: string }> {
  const { kubectl: bin } = await ensureBinaries();
  const { kubeconfigPath } = await sharedCluster();
  return new Promise((done) => {
    const child = execFile(
      bin,
      ['--kubeconfig', kubeconfigPath, ...args],
      { maxBuffer: 32 << 20 },
      (err, stdout, stderr) =>
        done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
