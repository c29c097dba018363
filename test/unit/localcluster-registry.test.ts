import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isAlive } from '../../src/dev/localcluster/processes.ts';
import { type ClusterState, sweepStaleInstances, writeState } from '../../src/dev/localcluster/registry.ts';

function state(root: string, name: string, over: Partial<ClusterState>): ClusterState {
  const stateDir = join(root, name);
  mkdirSync(stateDir, { recursive: true });
  const s: ClusterState = {
    name,
    stateDir,
    kubeconfig: join(stateDir, 'kubeconfig'),
    server: 'https://127.0.0.1:1',
    kubectl: '/bin/true',
    detached: false,
    ownerPid: process.pid,
    components: [],
    logsDir: join(stateDir, 'logs'),
    ...over,
  };
  writeState(s);
  return s;
}

/** A pid that surely is not running: a child that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

test('the sweep removes instances whose owner died, and stops their surviving processes', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'sparkop-registry-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dead = await deadPid();

  // A survivor whose command line names the instance's state dir, as every component's does.
  const orphanDir = join(root, 'orphan');
  const survivor = spawn('sh', ['-c', 'sleep 60; true', orphanDir], { stdio: 'ignore' });
  t.after(() => survivor.kill('SIGKILL'));
  state(root, 'orphan', { ownerPid: dead, components: [{ name: 'etcd', pid: survivor.pid! }] });
  // A process that is not ours (its command line does not name the state dir) is never touched.
  const bystander = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.after(() => bystander.kill('SIGKILL'));
  state(root, 'foreign-pid', { ownerPid: dead, components: [{ name: 'etcd', pid: bystander.pid! }] });
  state(root, 'live-owner', { ownerPid: process.pid });
  const detachedRunning = spawn('sh', ['-c', 'sleep 60; true', join(root, 'detached-up')], {
    stdio: 'ignore',
  });
  t.after(() => detachedRunning.kill('SIGKILL'));
  state(root, 'detached-up', {
    detached: true,
    ownerPid: dead,
    components: [{ name: 'etcd', pid: detachedRunning.pid! }],
  });
  state(root, 'detached-dead', { detached: true, ownerPid: dead, components: [{ name: 'etcd', pid: dead }] });

  const logged: string[] = [];
  await sweepStaleInstances(root, (m) => logged.push(m));

  assert.equal(existsSync(join(root, 'orphan')), false);
  assert.equal(await exited(survivor), true, 'the orphaned component was stopped');
  assert.equal(existsSync(join(root, 'foreign-pid')), false);
  assert.equal(isAlive(bystander.pid!), true, 'a foreign process is left alone');
  assert.equal(existsSync(join(root, 'live-owner')), true);
  assert.equal(existsSync(join(root, 'detached-up')), true, 'a detached instance still running is kept');
  assert.equal(existsSync(join(root, 'detached-dead')), false);
  assert.deepEqual(logged.sort(), [
    'removing stale control plane detached-dead',
    'removing stale control plane foreign-pid',
    'removing stale control plane orphan',
  ]);
});

function exited(child: ReturnType<typeof spawn>): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((r) => {
    child.once('exit', () => r(true));
    setTimeout(() => r(false), 2000);
  });
}
