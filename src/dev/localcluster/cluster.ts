// A real, local Kubernetes control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and the kwok
// node simulator, on free loopback ports, with its own state directory, PKI and kubeconfig.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ControlPlaneBinaries, ensureBinaries } from './binaries.ts';
import { httpCall, type TlsIdentity } from './http.ts';
import { kubeconfigYaml } from './kubeconfig.ts';
import { kwokConfigYaml, simulatedNode } from './kwok.ts';
import type { ClusterPki, PemPair } from './pki.ts';
import { freePorts } from './ports.ts';
import { type ComponentSpec, type RunningComponent, startComponent, terminate, waitUntil } from './processes.ts';
import { assertRealNodePossible, REAL_NODE_NAME, RealNode } from './realnode.ts';
import { type ClusterState, defaultStateRoot, sweepStaleInstances, writeState } from './registry.ts';

export const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export interface LocalClusterOptions {
  /** Instance name; also the state directory's name under `stateRoot`. Default: a random `local-…` name. */
  readonly name?: string;
  /** Default: $SPARKOP_STATE_DIR, else $XDG_STATE_HOME/sparkop/clusters, else ~/.local/state/sparkop/clusters. */
  readonly stateRoot?: string;
  /** Detached processes outlive this process (`sparkctl cluster up`); attached ones die with it (tests). */
  readonly detached?: boolean;
  /** Number of simulated nodes. Default 2. */
  readonly nodes?: number;
  /**
   * Run a real node as well (kubelet, containerd, CoreDNS; real containers: see realnode.ts). Needs root; one per
   * machine. With a real node, the simulated nodes are tainted (SIM_NODE_TAINT), so pods land on the real node
   * unless they tolerate the taint.
   */
  readonly realNode?: boolean;
  /** Progress messages. */
  readonly log?: (message: string) => void;
  /** Serve kube-apiserver's /debug/pprof (for the benches' API server profiles). Default off. */
  readonly profiling?: boolean;
  /** kube-apiserver's --feature-gates (tests of what clients do where a feature is off). Default: its defaults. */
  readonly apiserverFeatureGates?: Readonly<Record<string, boolean>>;
}

const SERVICE_CIDR = '10.96.0.0/16';
const SERVICE_IP = '10.96.0.1';
// kwok gives every pod an address of this range: a /14 holds 262 144, room for the scale bench's largest clusters
// (a /16's 65 536 hold the pods of 10 922 applications with five executors each).
const POD_CIDR = '10.244.0.0/14';
/** etcd's database quota: past it etcd refuses writes. The scale bench stops filling before it. */
export const ETCD_QUOTA_BYTES = 4 * 2 ** 30;
const STARTUP_TIMEOUT_MS = 90_000;

interface Ports {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly apiserver: number;
  readonly controllerManager: number;
  readonly scheduler: number;
  readonly kwok: number;
}

export class LocalCluster {
  readonly name: string;
  readonly stateDir: string;
  readonly kubeconfigPath: string;
  readonly server: string;
  readonly binaries: ControlPlaneBinaries;
  readonly ports: Ports;
  readonly #pki: ClusterPki;
  readonly #specs: Map<ComponentName, ComponentSpec>;
  readonly #running = new Map<ComponentName, RunningComponent>();
  #realNode: RealNode | undefined;
  /** Simulated nodes created so far (sim-node-0 …), and whether they carry SIM_NODE_TAINT (with a real node). */
  #simulatedNodes = 0;
  #taintSimulatedNodes = false;
  readonly #detached: boolean;
  readonly #log: (message: string) => void;
  #stopped = false;

  private constructor(init: {
    name: string;
    stateDir: string;
    binaries: ControlPlaneBinaries;
    ports: Ports;
    pki: ClusterPki;
    specs: Map<ComponentName, ComponentSpec>;
    detached: boolean;
    log: (message: string) => void;
  }) {
    this.name = init.name;
    this.stateDir = init.stateDir;
    this.kubeconfigPath = join(init.stateDir, 'kubeconfig');
    this.server = `https://127.0.0.1:${init.ports.apiserver}`;
    this.binaries = init.binaries;
    this.ports = init.ports;
    this.#pki = init.pki;
    this.#specs = init.specs;
    this.#detached = init.detached;
    this.#log = init.log;
  }

  /** Builds (once, cached) and starts a control plane; resolves when nodes are Ready and controllers run. */
  static async start(options: LocalClusterOptions = {}): Promise<LocalCluster> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await LocalCluster.#startOnce(options);
      } catch (err) {
        // Free ports are checked, not reserved: a parallel start can take one first. Pick new ones and retry.
        if (attempt >= 3 || !(err instanceof Error) || !/address already in use/.test(err.message)) throw err;
        options.log?.(`a port was taken while starting (${attempt}/3); retrying with new ports`);
      }
    }
  }

  static async #startOnce(options: LocalClusterOptions): Promise<LocalCluster> {
    const log = options.log ?? (() => {});
    const started = Date.now();
    const name = options.name ?? `local-${randomBytes(4).toString('hex')}`;
    // Before anything starts: root, cgroups, and no real node of another cluster on this machine.
    if (options.realNode) assertRealNodePossible(name);
    const stateRoot = options.stateRoot ?? defaultStateRoot();
    await sweepStaleInstances(stateRoot, log);
    const binaries = await ensureBinaries();
    const stateDir = claimStateDir(stateRoot, name, binaries.kubectl, options.detached ?? false);
    const ports = await allocatePorts();
    // Loaded when a control plane starts: the X.509 library's modules would otherwise sit in every operator process.
    const { generatePki } = await import('./pki.ts');
    const pki = await generatePki(SERVICE_IP, options.realNode ? { realNode: REAL_NODE_NAME } : {});
    const server = `https://127.0.0.1:${ports.apiserver}`;
    const specs = componentSpecs({
      stateDir,
      binaries,
      ports,
      files: writePki(stateDir, pki),
      kubeconfigs: writeComponentKubeconfigs(stateDir, name, server, pki),
      options,
    });
    writeFileSync(join(stateDir, 'kwok.yaml'), kwokConfigYaml());
    const cluster = new LocalCluster({
      name,
      stateDir,
      binaries,
      ports,
      pki,
      specs,
      detached: options.detached ?? false,
      log,
    });
    writeFileSync(
      cluster.kubeconfigPath,
      kubeconfigYaml({ name: `sparkop-${name}`, server, user: 'sparkop-admin', ca: pki.ca.cert, client: pki.admin }),
      { mode: 0o600 },
    );
    try {
      await cluster.#bringUp(options, pki);
    } catch (err) {
      // Keep the logs of a failed start for diagnosis, unless it is retried.
      const retried = err instanceof Error && /address already in use/.test(err.message);
      await cluster.stop({ keepState: !retried });
      throw err;
    }
    log(`control plane ${name} ready in ${((Date.now() - started) / 1000).toFixed(1)}s (${server})`);
    return cluster;
  }

  /** etcd, kube-apiserver, the controllers and kwok; the nodes (and the real one); then until pods can be made. */
  async #bringUp(options: LocalClusterOptions, pki: ClusterPki): Promise<void> {
    await this.startComponent('etcd');
    await this.startComponent('kube-apiserver');
    await Promise.all([
      this.startComponent('kube-controller-manager'),
      this.startComponent('kube-scheduler'),
      this.startComponent('kwok'),
    ]);
    this.#taintSimulatedNodes = options.realNode ?? false;
    await this.addSimulatedNodes(options.nodes ?? 2);
    if (options.realNode) await this.#startRealNode(pki);
    // The default ServiceAccount appears once the controller manager's controllers run: pods can be created.
    await waitUntil(
      'service account controller',
      async () => (await this.api('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
      { timeoutMs: STARTUP_TIMEOUT_MS, component: this.#running.get('kube-controller-manager') },
    );
  }

  /** The admin identity (system:masters) and the CA: enough for any HTTPS call to the API server. */
  get adminTls(): TlsIdentity {
    return { ca: this.#pki.ca.cert, cert: this.#pki.admin.cert, key: this.#pki.admin.key };
  }

  get etcdUrl(): string {
    return `http://127.0.0.1:${this.ports.etcdClient}`;
  }

  /** A raw API call as admin; the body is parsed JSON when the response is JSON. */
  async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const res = await httpCall(`${this.server}${path}`, { method, body, tls: this.adminTls });
    let parsed: unknown = res.body;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      // not JSON (e.g. /readyz): keep the text
    }
    return { status: res.status, body: parsed };
  }

  pidOf(component: ComponentName): number | undefined {
    const running = this.#running.get(component);
    return running && !running.hasExited() ? running.pid : undefined;
  }

  /** Starts one component (again, after stopComponent) and waits until it is healthy. */
  async startComponent(component: ComponentName): Promise<void> {
    const spec = this.#specs.get(component);
    if (!spec) throw new Error(`unknown component ${component}`);
    if (this.pidOf(component) !== undefined) throw new Error(`${component} is already running`);
    const running = startComponent(spec, { detached: this.#detached });
    this.#running.set(component, running);
    this.#saveState();
    await waitUntil(`${component} health`, () => this.#healthy(component), {
      timeoutMs: STARTUP_TIMEOUT_MS,
      component: running,
    });
    this.#log(`${component} ready (pid ${running.pid})`);
  }

  /** Stops one component (SIGTERM, then SIGKILL): for tests of restarts and outages. */
  async stopComponent(component: ComponentName, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const running = this.#running.get(component);
    if (!running || running.hasExited()) return;
    if (signal === 'SIGKILL') process.kill(running.pid, 'SIGKILL');
    await terminate(running.pid);
    // A detached child is unref'd: its exit event would not keep this process alive to arrive (terminate waited).
    if (!this.#detached) await running.exited;
    this.#saveState();
  }

  async restartComponent(component: ComponentName): Promise<void> {
    await this.stopComponent(component);
    await this.startComponent(component);
  }

  /** Compacts etcd's history up to its current revision (watches older than it then get 410 Gone). */
  async compactEtcd(): Promise<number> {
    const range = await httpCall(`${this.etcdUrl}/v3/kv/range`, { method: 'POST', body: { key: 'AA==' } });
    const revision = Number((JSON.parse(range.body) as { header?: { revision?: string } }).header?.revision);
    if (!Number.isFinite(revision)) throw new Error(`could not read etcd's revision: ${range.body}`);
    const res = await httpCall(`${this.etcdUrl}/v3/kv/compaction`, {
      method: 'POST',
      body: { revision: String(revision), physical: true },
    });
    if (res.status !== 200) throw new Error(`etcd compaction failed: ${res.status} ${res.body}`);
    return revision;
  }

  /** Stops every process, in reverse start order, and removes the state directory (unless keepState). */
  async stop(options: { keepState?: boolean } = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#realNode?.stop();
    for (const component of [...COMPONENTS].reverse()) await this.stopComponent(component);
    if (!options.keepState) rmSync(this.stateDir, { recursive: true, force: true });
  }

  async #healthy(component: ComponentName): Promise<boolean> {
    switch (component) {
      case 'etcd': {
        const res = await httpCall(`${this.etcdUrl}/health`);
        return res.status === 200 && (JSON.parse(res.body) as { health?: string }).health === 'true';
      }
      case 'kube-apiserver':
        return (await httpCall(`${this.server}/readyz`, { tls: this.adminTls })).status === 200;
      case 'kube-controller-manager':
        return (
          (await httpCall(`https://127.0.0.1:${this.ports.controllerManager}/healthz`, { tls: { insecure: true } }))
            .status === 200
        );
      case 'kube-scheduler':
        return (
          (await httpCall(`https://127.0.0.1:${this.ports.scheduler}/healthz`, { tls: { insecure: true } })).status ===
          200
        );
      case 'kwok':
        return (await httpCall(`http://127.0.0.1:${this.ports.kwok}/healthz`)).status === 200;
    }
  }

  /** Creates simulated nodes until there are `total` (none if there are already), and waits until they are Ready. */
  async addSimulatedNodes(total: number): Promise<void> {
    if (total <= this.#simulatedNodes) return;
    const names = Array.from(
      { length: total - this.#simulatedNodes },
      (_, i) => `sim-node-${this.#simulatedNodes + i}`,
    );
    for (const name of names) {
      const res = await this.api('POST', '/api/v1/nodes', simulatedNode(name, { tainted: this.#taintSimulatedNodes }));
      if (res.status !== 201 && res.status !== 409) {
        throw new Error(`creating simulated node ${name} failed: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    this.#simulatedNodes = total;
    await waitUntil(
      'simulated nodes Ready',
      async () => {
        for (const name of names) {
          const res = await this.api('GET', `/api/v1/nodes/${name}`);
          const conditions =
            (res.body as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
          if (!conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return false;
        }
        return true;
      },
      { timeoutMs: STARTUP_TIMEOUT_MS, component: this.#running.get('kwok') },
    );
    this.#log(`${names.length} simulated node(s) Ready (${total} in all)`);
  }

  async #startRealNode(pki: ClusterPki): Promise<void> {
    if (!pki.kubelet || !pki.clusterDns) throw new Error('the PKI has no real-node identities');
    this.#realNode = await RealNode.start({
      clusterStateDir: this.stateDir,
      clusterName: this.name,
      apiserverPort: this.ports.apiserver,
      ca: pki.ca.cert,
      kubeletIdentity: pki.kubelet,
      dnsIdentity: pki.clusterDns,
      detached: this.#detached,
      log: this.#log,
    });
    this.#saveState();
    await waitUntil(
      'real node Ready',
      async () => {
        const res = await this.api('GET', `/api/v1/nodes/${REAL_NODE_NAME}`);
        const conditions =
          (res.body as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
        return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
      },
      { timeoutMs: STARTUP_TIMEOUT_MS, intervalMs: 500 },
    );
    await this.#realNode.restoreHostSettings();
    this.#log(`real node ${REAL_NODE_NAME} Ready`);
  }

  /** The real node, when the cluster was started with one. */
  get realNode(): RealNode | undefined {
    return this.#realNode;
  }

  #saveState(): void {
    const state: ClusterState = {
      name: this.name,
      stateDir: this.stateDir,
      kubeconfig: this.kubeconfigPath,
      server: this.server,
      kubectl: this.binaries.kubectl,
      detached: this.#detached,
      ownerPid: process.pid,
      components: [
        ...[...this.#running.values()].filter((r) => !r.hasExited()).map((r) => ({ name: r.spec.name, pid: r.pid })),
        ...(this.#realNode?.components ?? []),
      ],
      logsDir: join(this.stateDir, 'logs'),
      ...(this.#realNode ? { realNodeKubeletRoot: this.#realNode.kubeletRoot } : {}),
    };
    writeState(state);
  }
}

/** The instance's state directory, made and claimed at once (a concurrent start's sweep then sees a live owner). */
function claimStateDir(stateRoot: string, name: string, kubectl: string, detached: boolean): string {
  const stateDir = join(stateRoot, name);
  // The caller swept stale instances: a state directory still there belongs to a live instance.
  if (existsSync(stateDir)) {
    throw new Error(
      `a local control plane named "${name}" is already running (${stateDir}); stop it with: npx sparkctl cluster down --name ${name}`,
    );
  }
  mkdirSync(stateDir, { recursive: true });
  writeState({
    name,
    stateDir,
    kubeconfig: join(stateDir, 'kubeconfig'),
    server: '',
    kubectl,
    detached,
    ownerPid: process.pid,
    components: [],
    logsDir: join(stateDir, 'logs'),
  });
  for (const sub of ['pki', 'etcd', 'logs', 'kcm-certs', 'scheduler-certs'])
    mkdirSync(join(stateDir, sub), { recursive: true });
  return stateDir;
}

async function allocatePorts(): Promise<Ports> {
  const [etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok] = await freePorts(6);
  return {
    etcdClient: etcdClient!,
    etcdPeer: etcdPeer!,
    apiserver: apiserver!,
    controllerManager: controllerManager!,
    scheduler: scheduler!,
    kwok: kwok!,
  };
}

/** The kubeconfigs of the controller manager, the scheduler and kwok, each with its own client certificate. */
function writeComponentKubeconfigs(stateDir: string, name: string, server: string, pki: ClusterPki) {
  const componentKubeconfig = (user: string, pair: PemPair, file: string): string => {
    const path = join(stateDir, file);
    writeFileSync(path, kubeconfigYaml({ name: `sparkop-${name}`, server, user, ca: pki.ca.cert, client: pair }), {
      mode: 0o600,
    });
    return path;
  };
  return {
    controllerManager: componentKubeconfig('system:kube-controller-manager', pki.controllerManager, 'kcm.kubeconfig'),
    scheduler: componentKubeconfig('system:kube-scheduler', pki.scheduler, 'scheduler.kubeconfig'),
    kwok: componentKubeconfig('sparkop-node-simulator', pki.nodeSimulator, 'kwok.kubeconfig'),
  };
}

interface ComponentContext {
  readonly stateDir: string;
  readonly binaries: ControlPlaneBinaries;
  readonly ports: Ports;
  readonly files: ReturnType<typeof writePki>;
  readonly kubeconfigs: ReturnType<typeof writeComponentKubeconfigs>;
  readonly options: LocalClusterOptions;
}

/** How each component runs: its binary, its flags and its log file. */
function componentSpecs(c: ComponentContext): Map<ComponentName, ComponentSpec> {
  const { stateDir, binaries, ports, files, options } = c;
  const kcmKubeconfig = c.kubeconfigs.controllerManager;
  const schedulerKubeconfig = c.kubeconfigs.scheduler;
  const kwokKubeconfig = c.kubeconfigs.kwok;
  const spec = (name: ComponentName, binary: string, args: string[]): [ComponentName, ComponentSpec] => [
    name,
    { name, binary, logFile: join(stateDir, 'logs', `${name}.log`), args },
  ];
  return new Map([
    spec('etcd', binaries.etcd, [
      '--name=default',
      `--data-dir=${join(stateDir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${ports.etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${ports.etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${ports.etcdPeer}`,
      // Throwaway clusters on a shared disk: durability buys nothing and fsync latency costs seconds.
      '--unsafe-no-fsync',
      `--quota-backend-bytes=${ETCD_QUOTA_BYTES}`,
      '--log-level=warn',
    ]),
    spec('kube-apiserver', binaries.kubeApiserver, [
      `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // A real node registers by name and address; its name does not resolve, its InternalIP does.
      '--kubelet-preferred-address-types=InternalIP,Hostname',
      `--secure-port=${ports.apiserver}`,
      `--cert-dir=${join(stateDir, 'pki')}`,
      `--tls-cert-file=${files.apiserverCert}`,
      `--tls-private-key-file=${files.apiserverKey}`,
      `--client-ca-file=${files.caCert}`,
      '--authorization-mode=Node,RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${files.saPublicKey}`,
      `--service-account-signing-key-file=${files.saKey}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--allow-privileged=true',
      `--profiling=${options.profiling ?? false}`,
      ...featureGatesFlag(options.apiserverFeatureGates),
      '--v=0',
    ]),
    spec('kube-controller-manager', binaries.kubeControllerManager, [
      `--kubeconfig=${kcmKubeconfig}`,
      `--authentication-kubeconfig=${kcmKubeconfig}`,
      `--authorization-kubeconfig=${kcmKubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${ports.controllerManager}`,
      `--cert-dir=${join(stateDir, 'kcm-certs')}`,
      '--leader-elect=false',
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${files.saKey}`,
      `--root-ca-file=${files.caCert}`,
      `--cluster-signing-cert-file=${files.caCert}`,
      `--cluster-signing-key-file=${files.caKey}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--profiling=false',
      '--v=0',
    ]),
    spec('kube-scheduler', binaries.kubeScheduler, [
      `--kubeconfig=${schedulerKubeconfig}`,
      `--authentication-kubeconfig=${schedulerKubeconfig}`,
      `--authorization-kubeconfig=${schedulerKubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${ports.scheduler}`,
      `--cert-dir=${join(stateDir, 'scheduler-certs')}`,
      '--leader-elect=false',
      '--profiling=false',
      '--v=0',
    ]),
    spec('kwok', binaries.kwok, [
      `--kubeconfig=${kwokKubeconfig}`,
      `--config=${join(stateDir, 'kwok.yaml')}`,
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      `--cidr=${POD_CIDR}`,
      '--node-ip=10.240.0.1',
      '--node-lease-duration-seconds=40',
      `--server-address=127.0.0.1:${ports.kwok}`,
    ]),
  ]);
}

function writePki(dir: string, pki: ClusterPki) {
  const file = (name: string, content: string, mode = 0o644) => {
    const path = join(dir, 'pki', name);
    writeFileSync(path, content, { mode });
    return path;
  };
  return {
    caCert: file('ca.crt', pki.ca.cert),
    caKey: file('ca.key', pki.ca.key, 0o600),
    apiserverCert: file('apiserver.crt', pki.apiserver.cert),
    apiserverKey: file('apiserver.key', pki.apiserver.key, 0o600),
    saKey: file('sa.key', pki.serviceAccountKey, 0o600),
    saPublicKey: file('sa.pub', pki.serviceAccountPublicKey),
  };
}

function featureGatesFlag(gates: Readonly<Record<string, boolean>> | undefined): string[] {
  const entries = Object.entries(gates ?? {});
  return entries.length ? [`--feature-gates=${entries.map(([gate, on]) => `${gate}=${on}`).join(',')}`] : [];
}
