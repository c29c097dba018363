// What the real node changes on the machine is undone: after a crash (the process that ran it killed with -9, its
// containers still running), the next start removes the leftovers; a stop leaves the machine as it found it.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { LocalCluster } from '../../src/dev/localcluster/cluster.ts';
import { REAL_NODE_LABEL, REAL_NODE_RUN_DIR, removeStaleRealNode } from '../../src/dev/localcluster/realnode.ts';
import { eventually } from '../support/kube.ts';

const CHILD = join(import.meta.dirname, 'crashing-cluster.ts');
const SLEEPER = 'sleep 3600';

interface HostState {
  readonly bridge: boolean;
  readonly runDir: boolean;
  readonly rules: readonly string[];
  readonly cgroups: readonly string[];
  readonly mounts: readonly string[];
  readonly netns: readonly string[];
  readonly sysctls: Readonly<Record<string, string>>;
}

function lines(command: string, args: readonly string[]): string[] {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).split('\n');
  } catch {
    return [];
  }
}

/** What a real node puts on the machine, as seen from outside it. */
function hostState(): HostState {
  const rules = [...lines('iptables-save', []), ...lines('ip6tables-save', [])].filter((l) =>
    /sparkop-realnode|KUBE-/.test(l),
  );
  const cgroupRoots = readdirSync('/sys/fs/cgroup').map((d) => join('/sys/fs/cgroup', d));
  const cgroups = cgroupRoots
    .flatMap((root) => ['kubepods', 'kubepods.slice'].map((c) => join(root, c)))
    .filter(existsSync);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => /\/realnode\/kubelet|sparkop-realnode|netns\/cni-/.test(l));
  const netns = existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith('cni-')) : [];
  const sysctls = Object.fromEntries(
    ['vm/overcommit_memory', 'kernel/panic', 'kernel/panic_on_oops', 'net/ipv4/ip_forward'].map((k) => [
      k,
      readFileSync(`/proc/sys/${k}`, 'utf8').trim(),
    ]),
  );
  return {
    bridge: existsSync('/sys/class/net/spk0'),
    runDir: existsSync(REAL_NODE_RUN_DIR),
    rules,
    cgroups,
    mounts,
    netns,
    sysctls,
  };
}

function sleeperRuns(): boolean {
  return lines('pgrep', ['-f', `^${SLEEPER}$`]).some((l) => l.trim() !== '');
}

test('a killed real node is cleaned up by the next start; a stop leaves the machine as it was', async (t) => {
  // An earlier run killed before it could clean up would leave its own: the baseline is a machine without them.
  await removeStaleRealNode();
  const before = hostState();
  assert.equal(before.bridge, false, 'no real node runs before the test');

  const child = spawn(process.execPath, [CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const kubeconfig = await eventually('the crashing cluster is up', async () => /^ready (.+)$/m.exec(out)?.[1], {
    timeoutMs: 300_000,
    intervalMs: 200,
  });
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  await eventually('the default service account', async () =>
    core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' }),
  );
  await core.createNamespacedPod({
    namespace: 'default',
    body: {
      metadata: { name: 'sleeper' },
      spec: {
        nodeSelector: { [REAL_NODE_LABEL]: 'true' },
        containers: [
          {
            name: 'sleeper',
            image: 'docker.io/apache/spark:4.0.4',
            imagePullPolicy: 'Never',
            command: SLEEPER.split(' '),
          },
        ],
      },
    },
  });
  await eventually(
    'the pod runs',
    async () => (await core.readNamespacedPod({ name: 'sleeper', namespace: 'default' })).status?.phase === 'Running',
    { timeoutMs: 120_000, intervalMs: 200 },
  );
  assert.ok(sleeperRuns(), "the pod's process runs on the machine");

  child.kill('SIGKILL');
  await once(child, 'exit');
  const leftover = hostState();
  assert.ok(leftover.bridge && leftover.runDir, 'a killed node leaves its bridge and run directory');
  assert.ok(leftover.mounts.length > 0, 'and its mounts');
  assert.ok(sleeperRuns(), 'and its containers, which outlive the kubelet and containerd');

  const next = await LocalCluster.start({ name: `cleanup-${process.pid}`, realNode: true, nodes: 0 });
  try {
    assert.equal(sleeperRuns(), false, "the next start removed the crashed node's containers");
  } finally {
    await next.stop();
  }
  assert.deepEqual(hostState(), before);
});
