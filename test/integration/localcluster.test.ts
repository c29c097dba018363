// `sparkctl cluster up|status|down`, independent instances side by side, restarts, and cleanup after a crash.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { LocalCluster } from '../../src/dev/localcluster/cluster.ts';
import { isAlive } from '../../src/dev/localcluster/processes.ts';
import { type ClusterState, readState, sweepStaleInstances } from '../../src/dev/localcluster/registry.ts';
import { eventually } from '../support/kube.ts';

const run = promisify(execFile);
const SPARKCTL = new URL('../../bin/sparkctl.js', import.meta.url).pathname;

function coreFor(kubeconfig: string): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kc.makeApiClient(CoreV1Api);
}

describe('local control plane instances', () => {
  test('sparkctl cluster up / status / down, two instances side by side', async (t) => {
    const stateRoot = mkdtempSync(join(tmpdir(), 'sparkop-cli-'));
    const env = { ...process.env, SPARKOP_STATE_DIR: stateRoot };
    t.after(async () => {
      await run(process.execPath, [SPARKCTL, 'cluster', 'down', '--all'], { env }).catch(() => undefined);
      rmSync(stateRoot, { recursive: true, force: true });
    });
    const [a, b] = await Promise.all(
      ['alpha', 'beta'].map((name) =>
        run(process.execPath, [SPARKCTL, 'cluster', 'up', '--name', name, '--nodes', '1'], { env }),
      ),
    );
    const kubeconfigOf = (stdout: string) => /^export KUBECONFIG=(.+)$/m.exec(stdout)?.[1];
    const alpha = kubeconfigOf(a!.stdout);
    const beta = kubeconfigOf(b!.stdout);
    assert.ok(alpha && beta, `up prints export KUBECONFIG=…\n${a!.stdout}`);
    assert.match(a!.stdout, /^export PATH=.*kubernetes-v1\.\d+\.\d+\/bin:\$PATH/m);
    assert.notEqual(readFileSync(alpha, 'utf8'), readFileSync(beta, 'utf8'));

    // Independent: what one stores the other does not see.
    await coreFor(alpha).createNamespace({ body: { metadata: { name: 'only-in-alpha' } } });
    const inBeta = await coreFor(beta)
      .readNamespace({ name: 'only-in-alpha' })
      .then(
        () => true,
        () => false,
      );
    assert.equal(inBeta, false);

    // up is idempotent for a running instance.
    const again = await run(process.execPath, [SPARKCTL, 'cluster', 'up', '--name', 'alpha'], { env });
    assert.equal(kubeconfigOf(again.stdout), alpha);
    assert.match(again.stderr, /already running/);

    const status = await run(process.execPath, [SPARKCTL, 'cluster', 'status'], { env });
    assert.match(status.stdout, /^alpha\s+https:\/\/127\.0\.0\.1:\d+\s+yes\s+5\/5/m);
    assert.match(status.stdout, /^beta\s+https:\/\/127\.0\.0\.1:\d+\s+yes\s+5\/5/m);

    const pids = ['alpha', 'beta'].flatMap((n) => readState(join(stateRoot, n))!.components.map((c) => c.pid));
    assert.equal(pids.length, 10);
    await run(process.execPath, [SPARKCTL, 'cluster', 'down', '--name', 'alpha'], { env });
    assert.equal(existsSync(join(stateRoot, 'alpha')), false);
    assert.ok(existsSync(join(stateRoot, 'beta')));
    await run(process.execPath, [SPARKCTL, 'cluster', 'down', '--all'], { env });
    assert.deepEqual(
      pids.filter((pid) => isAlive(pid)),
      [],
      'every process stopped',
    );
    assert.equal(existsSync(join(stateRoot, 'beta')), false);
  });

  test('a bad flag gets a clear error and exit code 2', async () => {
    const failure = await run(process.execPath, [SPARKCTL, 'cluster', 'up', '--nodes', 'many']).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    assert.equal(failure?.code, 2);
    assert.match(failure?.stderr ?? '', /--nodes must be an integer from 1 to 100, got "many"/);
  });

  test('kube-apiserver and etcd restart without losing data', async (t) => {
    const cluster = await LocalCluster.start({ stateRoot: mkdtempSync(join(tmpdir(), 'sparkop-restart-')), nodes: 1 });
    t.after(() => cluster.stop());
    const core = coreFor(cluster.kubeconfigPath);
    await core.createNamespace({ body: { metadata: { name: 'survives' } } });
    const apiserverPid = cluster.pidOf('kube-apiserver');
    await cluster.restartComponent('kube-apiserver');
    assert.notEqual(cluster.pidOf('kube-apiserver'), apiserverPid);
    assert.equal((await core.readNamespace({ name: 'survives' })).metadata?.name, 'survives');

    await cluster.stopComponent('etcd', 'SIGKILL');
    const outage = await cluster.api('GET', '/api/v1/namespaces/survives').catch((err: Error) => err);
    assert.ok(outage instanceof Error || outage.status >= 500, 'reads fail while etcd is down');
    await cluster.startComponent('etcd');
    await eventually(
      'the API server to reconnect to etcd',
      async () => (await cluster.api('GET', '/readyz')).status === 200,
      {
        timeoutMs: 60_000,
      },
    );
    assert.equal((await core.readNamespace({ name: 'survives' })).metadata?.name, 'survives');

    const revision = await cluster.compactEtcd();
    assert.ok(revision > 1);
  });

  test('a test run killed with -9 leaves nothing that breaks the next', async (t) => {
    const stateRoot = mkdtempSync(join(tmpdir(), 'sparkop-crash-'));
    t.after(() => rmSync(stateRoot, { recursive: true, force: true }));
    // A separate Node process owns an attached instance, prints its state dir, and is then killed.
    const script = `
      import { LocalCluster } from ${JSON.stringify(new URL('../../src/dev/localcluster/cluster.ts', import.meta.url).href)};
      const c = await LocalCluster.start({ stateRoot: ${JSON.stringify(stateRoot)}, nodes: 1 });
      console.log('READY ' + c.stateDir);
      setInterval(() => {}, 1000);`;
    const owner = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const stateDir = await new Promise<string>((resolve, reject) => {
      let out = '';
      owner.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const m = /READY (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      owner.once('exit', (code) => reject(new Error(`owner exited early (${code})`)));
    });
    const state = readState(stateDir) as ClusterState;
    assert.equal(state.components.length, 5);
    owner.kill('SIGKILL');
    await eventually('components to die with their owner', async () => state.components.every((c) => !isAlive(c.pid)), {
      timeoutMs: 15_000,
    });
    await sweepStaleInstances(stateRoot, () => undefined);
    assert.equal(existsSync(stateDir), false, 'the next start sweeps the dead instance away');
  });
});
