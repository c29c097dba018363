// A real worker node for the local control plane: containerd (with runc and the bridge CNI plugin), a kubelet built
// from the control plane's Kubernetes source, and CoreDNS serving cluster.local, so that real Spark images run as
// pods. One real node runs per machine: it owns a bridge, iptables rules and the pod cgroups (scripts/realnode/host.sh).
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { runBuildScript } from './binaries.ts';
import { kubeconfigYaml } from './kubeconfig.ts';
import type { PemPair } from './pki.ts';
import { freePorts } from './ports.ts';
import {
  type ComponentSpec,
  commandLine,
  isAlive,
  type RunningComponent,
  startComponent,
  terminate,
  waitUntil,
} from './processes.ts';

const execFileAsync = promisify(execFile);

const SCRIPTS = resolve(fileURLToPath(import.meta.url), '../../../../scripts/realnode');
/** Host-level state of the one real node (tmpfs): containerd's state and socket, the owner record. */
export const REAL_NODE_RUN_DIR = '/run/sparkop-realnode';
export const REAL_NODE_NAME = 'real-node-0';
/** Label on the real node; pods that must run real containers select it. */
export const REAL_NODE_LABEL = 'sparkop.dev/real-node';
/** The bridge gateway: the node's address (kubelet), and the cluster DNS address (CoreDNS). */
export const REAL_NODE_IP = '10.88.0.1';
const POD_SUBNET = '10.88.0.0/16';
const KUBELET_PORT = 10350;
const READY_TIMEOUT_MS = 120_000;

export const REAL_NODE_COMPONENTS = ['registry', 'containerd', 'coredns', 'kubelet'] as const;
export type RealNodeComponent = (typeof REAL_NODE_COMPONENTS)[number];

export interface RealNodeBinaries {
  readonly kubelet: string;
  readonly coredns: string;
  /** The node's image registry (CNCF distribution), containerd's mirror of docker.io. */
  readonly registry: string;
  /** Its storage: kept across clusters, so images are pushed once. */
  readonly registryRoot: string;
  /** Image archives (docker-archive tars) to import into containerd. */
  readonly images: readonly string[];
  /** containerd's root (content store, snapshots): kept across clusters, so images are imported once. */
  readonly containerdRoot: string;
}

/** Builds (once, cached) the kubelet, CoreDNS and the images; installs the host packages when missing. */
export async function ensureRealNodeBinaries(): Promise<RealNodeBinaries> {
  const vars = await runBuildScript(join(SCRIPTS, 'build.sh'), ['all'], 'preparing the real node');
  const imagesDir = vars.get('IMAGES_DIR');
  const kubelet = vars.get('KUBELET');
  const coredns = vars.get('COREDNS');
  const registry = vars.get('REGISTRY');
  if (!imagesDir || !kubelet || !coredns || !registry) {
    throw new Error('unexpected output from scripts/realnode/build.sh');
  }
  // The pause image first: containerd needs it for every pod sandbox.
  const images = readdirSync(imagesDir)
    .filter((f) => f.endsWith('.tar'))
    .sort((a, b) => (a.startsWith('pause-') ? -1 : b.startsWith('pause-') ? 1 : a.localeCompare(b)))
    .map((f) => join(imagesDir, f));
  return {
    kubelet,
    coredns,
    registry,
    images,
    containerdRoot: join(imagesDir, '..', 'realnode-containerd'),
    registryRoot: join(imagesDir, '..', 'realnode-registry'),
  };
}

export interface RealNodeOptions {
  /** The cluster's state directory: the node keeps its configuration, kubelet root and logs under `realnode/`. */
  readonly clusterStateDir: string;
  readonly clusterName: string;
  readonly apiserverPort: number;
  /** CA and a client identity for the kubelet (system:node:<name>) and for CoreDNS. */
  readonly ca: string;
  readonly kubeletIdentity: PemPair;
  readonly dnsIdentity: PemPair;
  readonly detached: boolean;
  readonly log: (message: string) => void;
}

/** What the host must be to run a real node; an empty list when it can. */
export function realNodeHostProblems(): string[] {
  const problems: string[] = [];
  if (process.platform !== 'linux') problems.push(`Linux is required (this is ${process.platform})`);
  if (process.getuid?.() !== 0)
    problems.push('root is required (the kubelet and containerd manage mounts, cgroups, network namespaces, iptables)');
  if (!existsSync('/sys/fs/cgroup')) problems.push('cgroups must be mounted at /sys/fs/cgroup');
  return problems;
}

interface RealNodeOwner {
  readonly cluster: string;
  /** The process that started the node (a detached node outlives it: `sparkctl cluster up`). */
  readonly pid: number;
  readonly stateDir: string;
  /** The node's own processes (containerd, CoreDNS, kubelet). */
  readonly pids: readonly number[];
}

/** The owner record of the machine's one real node, or undefined when there is none. */
function realNodeOwner(): RealNodeOwner | undefined {
  try {
    return JSON.parse(readFileSync(join(REAL_NODE_RUN_DIR, 'owner.json'), 'utf8')) as RealNodeOwner;
  } catch {
    return undefined;
  }
}

function writeOwner(owner: RealNodeOwner): void {
  writeFileSync(join(REAL_NODE_RUN_DIR, 'owner.json'), JSON.stringify(owner));
}

/**
 * Removes what a real node left on the machine (containers, mounts, iptables rules, the bridge, network namespaces,
 * cgroups, changed kernel settings). Idempotent; a no-op when no real node ran.
 */
export async function teardownRealNodeHost(kubeletRoot?: string): Promise<void> {
  if (!existsSync(REAL_NODE_RUN_DIR)) return;
  await execFileAsync('bash', [join(SCRIPTS, 'host.sh'), 'teardown', ...(kubeletRoot ? [kubeletRoot] : [])], {
    timeout: 60_000,
  });
}

/** Throws, naming what is missing or who has it, when this machine cannot run a real node for `clusterName` now. */
export function assertRealNodePossible(clusterName: string): void {
  const problems = realNodeHostProblems();
  if (problems.length > 0) throw new Error(`this machine cannot run a real node: ${problems.join('; ')}`);
  const owner = realNodeOwner();
  if (owner && ownerRuns(owner) && owner.cluster !== clusterName) {
    throw new Error(
      `a real node already runs on this machine, for the local cluster "${owner.cluster}" (one real node per ` +
        `machine: it owns the pod bridge and cgroups); stop it first: npx sparkctl cluster down --name ${owner.cluster}`,
    );
  }
}

/** Alive: its starter (while it starts the node), or a node process whose command line names its state directory. */
function ownerRuns(owner: RealNodeOwner): boolean {
  return (
    isAlive(owner.pid) || (owner.pids ?? []).some((pid) => isAlive(pid) && commandLine(pid)?.includes(owner.stateDir))
  );
}

/** Removes what a real node that no longer runs left on the machine (a crashed run); nothing while one runs. */
export async function removeStaleRealNode(): Promise<void> {
  const owner = realNodeOwner();
  if (owner && ownerRuns(owner)) return;
  await teardownRealNodeHost(owner ? join(owner.stateDir, 'realnode', 'kubelet') : undefined);
}

export class RealNode {
  readonly dir: string;
  readonly kubeletRoot: string;
  readonly #options: RealNodeOptions;
  readonly #specs = new Map<RealNodeComponent, ComponentSpec>();
  readonly #running = new Map<RealNodeComponent, RunningComponent>();
  readonly #binaries: RealNodeBinaries;
  readonly #containerdSocket = join(REAL_NODE_RUN_DIR, 'containerd.sock');
  #ports = { kubelet: 0, dnsHealth: 0, dnsReady: 0, registry: 0 };

  private constructor(options: RealNodeOptions, binaries: RealNodeBinaries) {
    this.#options = options;
    this.#binaries = binaries;
    this.dir = join(options.clusterStateDir, 'realnode');
    this.kubeletRoot = join(this.dir, 'kubelet');
  }

  /** Starts containerd, CoreDNS and the kubelet; resolves once the node is registered and Ready. */
  static async start(options: RealNodeOptions): Promise<RealNode> {
    assertRealNodePossible(options.clusterName);
    // A crashed run's leftovers go first.
    await removeStaleRealNode();
    const binaries = await ensureRealNodeBinaries();
    const node = new RealNode(options, binaries);
    await node.#start();
    return node;
  }

  pidOf(component: RealNodeComponent): number | undefined {
    const running = this.#running.get(component);
    return running && !running.hasExited() ? running.pid : undefined;
  }

  /** The node's processes, in start order (for the cluster's state file). */
  get components(): { name: string; pid: number }[] {
    return REAL_NODE_COMPONENTS.flatMap((name) => {
      const pid = this.pidOf(name);
      return pid === undefined ? [] : [{ name, pid }];
    });
  }

  async #start(): Promise<void> {
    const log = this.#options.log;
    const started = Date.now();
    for (const sub of ['cni', 'logs', 'kubelet', 'pod-logs']) mkdirSync(join(this.dir, sub), { recursive: true });
    mkdirSync(REAL_NODE_RUN_DIR, { recursive: true });
    const owner = { cluster: this.#options.clusterName, pid: process.pid, stateDir: this.#options.clusterStateDir };
    writeOwner({ ...owner, pids: [] });
    writeFileSync(join(REAL_NODE_RUN_DIR, 'kubelet-root'), this.kubeletRoot);
    await execFileAsync('bash', [join(SCRIPTS, 'host.sh'), 'setup', String(this.#options.apiserverPort)]);
    const [kubelet = 0, dnsHealth = 0, dnsReady = 0, registry = 0] = await freePorts(4);
    this.#ports = { kubelet, dnsHealth, dnsReady, registry };
    this.#writeConfigs();

    await this.#startComponent('registry', async () => {
      const res = await fetch(`http://127.0.0.1:${this.#ports.registry}/v2/`).catch(() => undefined);
      return res?.status === 200;
    });
    await this.#startComponent('containerd', () => existsSync(this.#containerdSocket) && this.#ctrWorks());
    await this.#importImages();
    await this.#pushImages();
    await this.#startComponent('coredns', async () => {
      const res = await fetch(`http://127.0.0.1:${this.#ports.dnsReady}/ready`).catch(() => undefined);
      return res?.status === 200;
    });
    await this.#startComponent('kubelet', async () => {
      const res = await fetch(`http://127.0.0.1:${this.#ports.kubelet}/healthz`).catch(() => undefined);
      return res?.status === 200;
    });
    writeOwner({ ...owner, pids: this.components.map((c) => c.pid) });
    log(`real node: kubelet, containerd and CoreDNS up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }

  /** Called by the cluster once the node is Ready: the kubelet changed kernel settings at its start; put them back. */
  async restoreHostSettings(): Promise<void> {
    await execFileAsync('bash', [join(SCRIPTS, 'host.sh'), 'restore-sysctls']);
  }

  /** Stops the node's processes and removes everything it left on the machine. */
  async stop(): Promise<void> {
    for (const name of [...REAL_NODE_COMPONENTS].reverse()) {
      const running = this.#running.get(name);
      if (running && !running.hasExited()) {
        await terminate(running.pid);
        // A detached child is unref'd: its exit event would not keep this process alive to arrive (terminate waited).
        if (!this.#options.detached) await running.exited;
      }
    }
    await teardownRealNodeHost(this.kubeletRoot);
  }

  async #startComponent(name: RealNodeComponent, healthy: () => boolean | Promise<boolean>): Promise<void> {
    const spec = this.#specs.get(name);
    if (!spec) throw new Error(`unknown real-node component ${name}`);
    const running = startComponent(spec, { detached: this.#options.detached });
    this.#running.set(name, running);
    await waitUntil(`${name} health`, async () => await healthy(), {
      timeoutMs: READY_TIMEOUT_MS,
      component: running,
      intervalMs: 200,
    });
    this.#options.log(`${name} ready (pid ${running.pid})`);
  }

  async #ctrWorks(): Promise<boolean> {
    try {
      await this.#ctr(['version']);
      return true;
    } catch {
      return false;
    }
  }

  #ctr(args: readonly string[], timeoutMs = 30_000): Promise<{ stdout: string; stderr: string }> {
    return execFileAsync('ctr', ['--address', this.#containerdSocket, '--namespace', 'k8s.io', ...args], {
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    });
  }

  /** Imports each image archive once per containerd root (the record lives in that root). */
  async #importImages(): Promise<void> {
    const record = join(this.#binaries.containerdRoot, 'sparkop-imported.txt');
    const done = new Set(existsSync(record) ? readFileSync(record, 'utf8').split('\n').filter(Boolean) : []);
    const present = (await this.#ctr(['images', 'ls', '-q'])).stdout;
    for (const archive of this.#binaries.images) {
      const name = archive.slice(archive.lastIndexOf('/') + 1);
      if (done.has(name) && present.length > 0) continue;
      const started = Date.now();
      this.#options.log(`importing image ${name} into the node's containerd (once per image build)`);
      await this.#ctr(['images', 'import', archive], 600_000);
      appendFileSync(record, `${name}\n`);
      this.#options.log(`imported ${name} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    }
  }

  /**
   * Pushes each imported image to the node's registry once per registry storage, under the path containerd asks its
   * docker.io mirror for (docker.io/apache/spark:4.0.4 → apache/spark:4.0.4).
   */
  async #pushImages(): Promise<void> {
    const record = join(this.#binaries.registryRoot, 'sparkop-pushed.txt');
    const done = new Set(existsSync(record) ? readFileSync(record, 'utf8').split('\n').filter(Boolean) : []);
    for (const archive of this.#binaries.images) {
      const name = archive.slice(archive.lastIndexOf('/') + 1);
      if (done.has(name)) continue;
      const { stdout } = await execFileAsync('tar', ['-xOf', archive, 'manifest.json']);
      const tags = (JSON.parse(stdout) as { RepoTags?: string[] }[]).flatMap((m) => m.RepoTags ?? []);
      for (const tag of tags.filter((t) => t.startsWith('docker.io/'))) {
        const target = `127.0.0.1:${this.#ports.registry}/${tag.slice('docker.io/'.length)}`;
        await this.#ctr(['images', 'push', '--plain-http', target, tag], 600_000);
      }
      appendFileSync(record, `${name}\n`);
      this.#options.log(`pushed ${name} to the node's registry`);
    }
  }

  #writeConfigs(): void {
    const { dir, kubeletRoot } = this;
    const logFile = (name: string) => join(dir, 'logs', `${name}.log`);
    const containerdConfig = join(dir, 'containerd.toml');
    mkdirSync(this.#binaries.containerdRoot, { recursive: true });
    writeFileSync(
      containerdConfig,
      [
        'version = 2',
        `root = "${this.#binaries.containerdRoot}"`,
        `state = "${join(REAL_NODE_RUN_DIR, 'containerd')}"`,
        '[grpc]',
        `  address = "${this.#containerdSocket}"`,
        '[plugins."io.containerd.grpc.v1.cri"]',
        '  sandbox_image = "registry.k8s.io/pause:3.10.2"',
        // Root in this kind of VM lacks CAP_SYS_RESOURCE: runc cannot lower oom_score_adj for the sandbox.
        '  restrict_oom_score_adj = true',
        '  [plugins."io.containerd.grpc.v1.cri".containerd]',
        '    snapshotter = "overlayfs"',
        '    default_runtime_name = "runc"',
        '    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
        '      runtime_type = "io.containerd.runc.v2"',
        '      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
        '        SystemdCgroup = false',
        // docker.io images come from the node's registry (the locally built ones are pushed there), then docker.io.
        '  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]',
        `    endpoint = ["http://127.0.0.1:${this.#ports.registry}"]`,
        '  [plugins."io.containerd.grpc.v1.cri".cni]',
        '    bin_dir = "/usr/lib/cni"',
        `    conf_dir = "${join(dir, 'cni')}"`,
        '[plugins."io.containerd.internal.v1.opt"]',
        `  path = "${join(REAL_NODE_RUN_DIR, 'opt')}"`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'cni', '10-sparkop.conflist'),
      JSON.stringify(
        {
          cniVersion: '1.0.0',
          name: 'sparkop-pods',
          plugins: [
            {
              type: 'bridge',
              bridge: 'spk0',
              isGateway: true,
              // Pod traffic stays on this machine: no masquerading towards the host's own networks.
              ipMasq: false,
              hairpinMode: true,
              ipam: {
                type: 'host-local',
                ranges: [[{ subnet: POD_SUBNET, rangeStart: '10.88.1.1', gateway: REAL_NODE_IP }]],
                // The default route through the bridge: the API server's Service address is not on the pod subnet.
                routes: [{ dst: '0.0.0.0/0' }],
                dataDir: join(REAL_NODE_RUN_DIR, 'ipam'),
              },
            },
          ],
        },
        null,
        2,
      ),
    );
    const kubeconfig = (user: string, pair: PemPair, file: string) => {
      const path = join(dir, file);
      const server = `https://127.0.0.1:${this.#options.apiserverPort}`;
      writeFileSync(path, kubeconfigYaml({ name: 'local', server, user, ca: this.#options.ca, client: pair }), {
        mode: 0o600,
      });
      return path;
    };
    const kubeletKubeconfig = kubeconfig(
      `system:node:${REAL_NODE_NAME}`,
      this.#options.kubeletIdentity,
      'kubelet.kubeconfig',
    );
    const dnsKubeconfig = kubeconfig('sparkop-coredns', this.#options.dnsIdentity, 'coredns.kubeconfig');
    writeFileSync(
      join(dir, 'Corefile'),
      [
        '.:53 {',
        `  bind ${REAL_NODE_IP}`,
        '  errors',
        `  health 127.0.0.1:${this.#ports.dnsHealth}`,
        `  ready 127.0.0.1:${this.#ports.dnsReady}`,
        '  kubernetes cluster.local in-addr.arpa ip6.arpa {',
        `    kubeconfig ${dnsKubeconfig} local`,
        '    pods insecure',
        '  }',
        '  cache 30',
        '  loadbalance',
        '}',
        '',
      ].join('\n'),
    );
    const kubeletConfig = join(dir, 'kubelet.yaml');
    writeFileSync(
      kubeletConfig,
      stringify({
        apiVersion: 'kubelet.config.k8s.io/v1beta1',
        kind: 'KubeletConfiguration',
        // This kind of VM mounts cgroup v1 (with a unified hierarchy beside it); kubelet 1.36 refuses v1 unless told.
        failCgroupV1: false,
        cgroupDriver: 'cgroupfs',
        containerRuntimeEndpoint: `unix://${this.#containerdSocket}`,
        address: REAL_NODE_IP,
        port: KUBELET_PORT,
        readOnlyPort: 0,
        healthzBindAddress: '127.0.0.1',
        healthzPort: this.#ports.kubelet,
        // The API server reaches the kubelet (logs, exec, port-forward) without a client certificate of its own.
        authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
        authorization: { mode: 'AlwaysAllow' },
        clusterDomain: 'cluster.local',
        clusterDNS: [REAL_NODE_IP],
        resolvConf: '',
        podLogsDir: join(dir, 'pod-logs'),
        failSwapOn: false,
        serializeImagePulls: false,
        // Images are imported, never pulled: the kubelet must not collect them, and a full disk should not evict.
        imageGCHighThresholdPercent: 100,
        imageGCLowThresholdPercent: 99,
        evictionHard: {
          'memory.available': '100Mi',
          'nodefs.available': '1%',
          'imagefs.available': '1%',
          'nodefs.inodesFree': '1%',
        },
        syncFrequency: '10s',
        nodeStatusReportFrequency: '10s',
        registerNode: true,
      }),
    );
    const registryConfig = join(dir, 'registry.yaml');
    mkdirSync(this.#binaries.registryRoot, { recursive: true });
    writeFileSync(
      registryConfig,
      stringify({
        version: 0.1,
        log: { level: 'warn' },
        storage: { filesystem: { rootdirectory: this.#binaries.registryRoot }, delete: { enabled: false } },
        http: { addr: `127.0.0.1:${this.#ports.registry}` },
      }),
    );
    this.#specs.set('registry', {
      name: 'registry',
      binary: this.#binaries.registry,
      logFile: logFile('registry'),
      args: ['serve', registryConfig],
    });
    this.#specs.set('containerd', {
      name: 'containerd',
      binary: 'containerd',
      logFile: logFile('containerd'),
      args: ['--config', containerdConfig, '--log-level', 'warn'],
    });
    this.#specs.set('coredns', {
      name: 'coredns',
      binary: this.#binaries.coredns,
      logFile: logFile('coredns'),
      args: ['-conf', join(dir, 'Corefile')],
    });
    this.#specs.set('kubelet', {
      name: 'kubelet',
      binary: this.#binaries.kubelet,
      logFile: logFile('kubelet'),
      args: [
        `--config=${kubeletConfig}`,
        `--kubeconfig=${kubeletKubeconfig}`,
        `--root-dir=${kubeletRoot}`,
        `--hostname-override=${REAL_NODE_NAME}`,
        `--node-ip=${REAL_NODE_IP}`,
        `--node-labels=${REAL_NODE_LABEL}=true`,
        '--v=1',
      ],
    });
  }
}
