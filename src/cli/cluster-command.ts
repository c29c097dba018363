// `sparkctl cluster up|down|status`: the local control plane as a background service for developers.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { LocalCluster } from '../dev/localcluster/cluster.ts';
import { httpCall } from '../dev/localcluster/http.ts';
import { isAlive } from '../dev/localcluster/processes.ts';
import {
  type ClusterState,
  defaultStateRoot,
  destroyInstance,
  listInstances,
  readState,
} from '../dev/localcluster/registry.ts';
import { CLUSTER_USAGE } from './cluster-usage.ts';
import { UsageError } from './errors.ts';

export async function clusterCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string', default: 'default' },
      nodes: { type: 'string', default: '2' },
      'real-node': { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [verb, ...extra] = positionals;
  if (values.help || verb === undefined) {
    console.log(CLUSTER_USAGE);
    return values.help ? 0 : 2;
  }
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}\n\n${CLUSTER_USAGE}`);
  const root = defaultStateRoot();
  switch (verb) {
    case 'up':
      return up(root, values.name, parseCount(values.nodes), values['real-node']);
    case 'down':
      return down(root, values.name, values.all);
    case 'status':
      return status(root);
    default:
      throw new UsageError(`unknown cluster command "${verb}"\n\n${CLUSTER_USAGE}`);
  }
}

function parseCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100)
    throw new UsageError(`--nodes must be an integer from 1 to 100, got "${text}"`);
  return n;
}

async function up(root: string, name: string, nodes: number, realNode: boolean): Promise<number> {
  const existing = readState(join(root, name));
  if (existing && (await apiserverReady(existing))) {
    console.error(`control plane "${name}" is already running`);
    printAccess(existing.kubeconfig, existing.kubectl);
    return 0;
  }
  const started = Date.now();
  const cluster = await LocalCluster.start({
    name,
    stateRoot: root,
    detached: true,
    nodes,
    realNode,
    log: (m) => console.error(`[cluster] ${m}`),
  });
  const version = await cluster.api('GET', '/version');
  const gitVersion = (version.body as { gitVersion?: string }).gitVersion ?? '?';
  console.error(
    `[cluster] "${name}" up in ${((Date.now() - started) / 1000).toFixed(1)}s: Kubernetes ${gitVersion} at ${cluster.server}`,
  );
  console.error(`[cluster] logs: ${join(cluster.stateDir, 'logs')}`);
  printAccess(cluster.kubeconfigPath, cluster.binaries.kubectl);
  return 0;
}

function printAccess(kubeconfig: string, kubectl: string): void {
  const binDir = kubectl.slice(0, kubectl.lastIndexOf('/'));
  console.log(`export KUBECONFIG=${kubeconfig}`);
  console.log(`export PATH=${binDir}:$PATH   # the kubectl built with it`);
}

async function down(root: string, name: string, all: boolean): Promise<number> {
  const targets = all ? listInstances(root) : [readState(join(root, name))].filter((s): s is ClusterState => !!s);
  if (targets.length === 0) {
    console.error(all ? 'no control planes to stop' : `no control plane named "${name}"`);
    return 0;
  }
  for (const state of targets) {
    await destroyInstance(state);
    console.error(`[cluster] "${state.name}" stopped and removed`);
  }
  return 0;
}

async function status(root: string): Promise<number> {
  const instances = listInstances(root);
  if (instances.length === 0) {
    console.log('no local control planes (start one with: npx sparkctl cluster up)');
    return 0;
  }
  const rows = [['NAME', 'SERVER', 'READY', 'PROCESSES', 'KUBECONFIG']];
  for (const s of instances) {
    const alive = s.components.filter((c) => isAlive(c.pid)).length;
    rows.push([
      s.name,
      s.server,
      (await apiserverReady(s)) ? 'yes' : 'no',
      `${alive}/${s.components.length}`,
      s.kubeconfig,
    ]);
  }
  printTable(rows);
  return 0;
}

async function apiserverReady(state: ClusterState): Promise<boolean> {
  try {
    const kubeconfig = parse(readFileSync(state.kubeconfig, 'utf8')) as {
      clusters: { cluster: { 'certificate-authority-data': string } }[];
      users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
    };
    const decode = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');
    const res = await httpCall(`${state.server}/readyz`, {
      timeoutMs: 2000,
      tls: {
        ca: decode(kubeconfig.clusters[0]?.cluster['certificate-authority-data']),
        cert: decode(kubeconfig.users[0]?.user['client-certificate-data']),
        key: decode(kubeconfig.users[0]?.user['client-key-data']),
      },
    });
    return res.status === 200;
  } catch {
    return false;
  }
}

export function printTable(rows: readonly (readonly string[])[]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const row of rows)
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('   ')
        .trimEnd(),
    );
}
