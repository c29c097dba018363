// sparkctl's SparkConnect commands: Spark Connect servers managed by sparkop (kubeflow's v1alpha1 SparkConnect).
//   sparkctl connect list [-A]                  NAME, STATUS, POD, SERVICE, EXECUTORS, RESTARTS, AGE
//   sparkctl connect status NAME                state, server pod and Service, address, restarts, executors
//   sparkctl connect create -f FILE             validate, then create the SparkConnects in FILE
//   sparkctl connect delete NAME                delete it (its server, Service and ConfigMap go with it)
//   sparkctl connect url NAME [--port-forward]  the address inside the cluster; or a local port-forward to it
import { parseArgs } from 'node:util';
import type { V1Pod } from '@kubernetes/client-node';
import {
  API_GROUP,
  SPARK_CONNECT_GROUP_VERSION,
  SPARK_CONNECT_KIND,
  type SparkConnect,
  validateSparkConnect,
} from '../api/index.ts';
import { type Client, isNoKindMatch, isNotFound, type KubeObject, kind, newClient } from '../runtime/index.ts';
import { CONNECT_PORT, connectUrl, SERVER_POD_READY, serverPodName, serviceName } from '../spark/connect/index.ts';
import { CommandError, createObjects, explain, loadKubeConfig, readManifests } from './app-commands.ts';
import { UsageError } from './errors.ts';
import { age, formatFields, formatObjects, formatTable, type OutputFormat, outputFormat } from './output.ts';
import { checkPortForward, listenPortForward, PortForwardError, portForwardEndpoint } from './port-forward.ts';

type Connect = SparkConnect & KubeObject;
const SparkConnects = kind<Connect>(SPARK_CONNECT_GROUP_VERSION, SPARK_CONNECT_KIND);
const Pods = kind<V1Pod & KubeObject>('v1', 'Pod');
const RESOURCE = `sparkconnect.${API_GROUP}`;

export const CONNECT_USAGE = `Spark Connect commands (SparkConnect, sparkoperator.k8s.io/v1alpha1):
  connect list [-n NS | -A]       NAME, STATUS, POD, SERVICE, EXECUTORS, RESTARTS, AGE
  connect status NAME [-n NS]     state, server pod, Service, address, restarts, condition and executors
  connect create -f FILE [-n NS]  validate, then create the SparkConnects in FILE ("-" reads stdin)
  connect delete NAME [-n NS]     delete it (its server pod, Service and ConfigMap go with it)
  connect url NAME [-n NS]        the server's address inside the cluster, sc://<service>.<namespace>.svc:15002
  connect url NAME --port-forward [--port LOCAL]
                                  forward 127.0.0.1:LOCAL (default 15002, else any free port) to the server
                                  pod's port 15002 through the API server, print sc://127.0.0.1:LOCAL, until Ctrl-C
  Common: -n/--namespace NS, -o/--output yaml|json (create, list, status), --kubeconfig PATH`;

const OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  output: { type: 'string', short: 'o' },
  kubeconfig: { type: 'string' },
  file: { type: 'string', short: 'f' },
  'all-namespaces': { type: 'boolean', short: 'A', default: false },
  'port-forward': { type: 'boolean', default: false },
  port: { type: 'string' },
} as const;

interface Session {
  readonly client: Client;
  readonly kubeConfig: ReturnType<typeof loadKubeConfig>;
  readonly namespace: string;
  readonly namespaceGiven: boolean;
  readonly output: OutputFormat;
  readonly out: (line: string) => void;
}

const SUBCOMMANDS = ['list', 'status', 'create', 'delete', 'url'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/** `sparkctl connect <list|status|create|delete|url> …` */
export async function connectCommand(
  argv: readonly string[],
  out: (line: string) => void = console.log,
): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
  const [sub, ...names] = positionals;
  if (!SUBCOMMANDS.includes(sub as Subcommand)) {
    throw new UsageError(`unknown connect command "${sub ?? ''}"\n\n${CONNECT_USAGE}`);
  }
  const command = sub as Subcommand;
  const output = outputFormat(values.output);
  if (command === 'create') {
    if (!values.file) throw new UsageError('connect create needs -f FILE');
    if (names.length > 0) throw new UsageError(`connect create takes no NAME (got "${names[0]}")`);
  } else if (command === 'list') {
    if (names.length > 0)
      throw new UsageError(`connect list takes no NAME (got "${names[0]}"); use connect status NAME`);
  } else if (names.length !== 1) {
    throw new UsageError(`connect ${command} needs one SparkConnect NAME\n\n${CONNECT_USAGE}`);
  }
  if ((values['port-forward'] || values.port !== undefined) && command !== 'url') {
    throw new UsageError('--port-forward and --port go with connect url');
  }
  if (values.port !== undefined && !values['port-forward']) throw new UsageError('--port needs --port-forward');
  const localPort = values.port === undefined ? undefined : parsePort(values.port);
  const connects = command === 'create' ? readSparkConnects(values.file ?? '') : [];
  const kubeConfig = loadKubeConfig(values.kubeconfig);
  const contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  const s: Session = {
    client: newClient({ kubeConfig, userAgent: 'sparkctl' }),
    kubeConfig,
    namespace: values.namespace ?? contextNamespace ?? 'default',
    namespaceGiven: values.namespace !== undefined,
    output,
    out,
  };
  const name = names[0] ?? '';
  switch (command) {
    case 'list':
      return list(s, values['all-namespaces']);
    case 'status':
      return status(s, name);
    case 'create':
      return create(s, connects);
    case 'delete':
      return remove(s, name);
    case 'url':
      return values['port-forward'] ? portForward(s, name, localPort) : url(s, name);
  }
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new UsageError(`--port ${text}: expected a local port, 0–65535 (0: any free port)`);
  }
  return port;
}

/** Errors of the API as messages a user can act on. */
function explainConnect(err: unknown, what: string): never {
  if (isNoKindMatch(err)) {
    throw new CommandError(
      'the cluster does not serve SparkConnects: start sparkop once (it installs the CRDs), or apply config/crd/',
      { cause: err },
    );
  }
  return explain(err, what);
}

/** Every SparkConnect in the file, each validated; any problem fails the whole file (nothing is created). */
export function readSparkConnects(file: string): Connect[] {
  return readManifests<Connect>(file, SPARK_CONNECT_KIND, validateSparkConnect);
}

async function create(s: Session, connects: readonly Connect[]): Promise<number> {
  const created = await createObjects(s, connects, explainConnect);
  if (s.output !== 'table') s.out(formatObjects(created, s.output, created.length > 1).trimEnd());
  return 0;
}

async function getConnect(s: Session, name: string): Promise<Connect> {
  return s.client
    .get(SparkConnects, { namespace: s.namespace, name })
    .catch((err: unknown) => explainConnect(err, `${RESOURCE} "${name}" in namespace ${s.namespace}`));
}

const executorsText = (c: SparkConnect): string => {
  const entries = Object.entries(c.status?.executors ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '0' : entries.map(([phase, n]) => `${n} ${phase}`).join(', ');
};

async function list(s: Session, allNamespaces: boolean): Promise<number> {
  const namespace = allNamespaces ? undefined : s.namespace;
  const connects = await s.client
    .list(SparkConnects, namespace ? { namespace } : {})
    .catch((err: unknown) => explainConnect(err, 'SparkConnects'));
  const sorted = [...connects].sort((a, b) =>
    `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`),
  );
  if (s.output !== 'table') {
    s.out(formatObjects(sorted, s.output, true).trimEnd());
    return 0;
  }
  if (sorted.length === 0) {
    s.out(`No SparkConnects found${namespace ? ` in namespace ${namespace}` : ''}.`);
    return 0;
  }
  const now = Date.now();
  const rows = sorted.map((c) => [
    ...(allNamespaces ? [c.metadata?.namespace ?? ''] : []),
    c.metadata?.name ?? '',
    c.status?.state || '<none>',
    c.status?.server?.podName || '<none>',
    c.status?.server?.serviceName || '<none>',
    executorsText(c),
    String(c.status?.restartAttempts ?? 0),
    age(c.metadata?.creationTimestamp, now),
  ]);
  const headers = [
    ...(allNamespaces ? ['NAMESPACE'] : []),
    'NAME',
    'STATUS',
    'POD',
    'SERVICE',
    'EXECUTORS',
    'RESTARTS',
    'AGE',
  ];
  s.out(formatTable(headers, rows));
  return 0;
}

async function status(s: Session, name: string): Promise<number> {
  const c = await getConnect(s, name);
  if (s.output !== 'table') {
    s.out(formatObjects([c], s.output, false).trimEnd());
    return 0;
  }
  const st = c.status;
  const condition = st?.conditions?.find((x) => x.type === SERVER_POD_READY);
  const fields: [string, string][] = [
    ['Name', c.metadata?.name ?? ''],
    ['Namespace', c.metadata?.namespace ?? ''],
    ['State', st?.state || '<none> (not yet seen by the operator)'],
    ['Spark version', c.spec.sparkVersion],
    [
      'Server pod',
      st?.server?.podName ? `${st.server.podName}${st.server.podIp ? ` (${st.server.podIp})` : ''}` : '<none>',
    ],
    ['Service', st?.server?.serviceName ?? '<none>'],
    ['Address', connectUrl(c)],
    [
      'Condition',
      condition ? `${condition.type}=${condition.status} ${condition.reason}: ${condition.message}` : '<none>',
    ],
    ['Restarts', `${st?.restartAttempts ?? 0}${st?.lastRestartTime ? ` (last at ${st.lastRestartTime})` : ''}`],
    ['Started', st?.startTime ? String(st.startTime) : '<none>'],
    ['Last update', st?.lastUpdateTime ? String(st.lastUpdateTime) : '<none>'],
    ['Executors', executorsText(c)],
    ['Age', age(c.metadata?.creationTimestamp, Date.now())],
  ];
  s.out(formatFields(fields));
  return 0;
}

async function remove(s: Session, name: string): Promise<number> {
  const what = `${RESOURCE} "${name}" in namespace ${s.namespace}`;
  const c = await getConnect(s, name);
  await s.client.delete(c, { propagationPolicy: 'Background' }).catch((err: unknown) => explainConnect(err, what));
  s.out(`${RESOURCE} "${name}" deleted`);
  return 0;
}

/** The address inside the cluster, and how to reach the server from outside it. */
export function urlLines(c: SparkConnect): string[] {
  const name = c.metadata?.name ?? '';
  const namespace = c.metadata?.namespace ?? 'default';
  return [
    connectUrl(c),
    `from outside the cluster: npx sparkctl connect url ${name} -n ${namespace} --port-forward  ` +
      `(forwards a local port to port ${CONNECT_PORT} of the server pod and prints sc://127.0.0.1:<port>)`,
  ];
}

async function url(s: Session, name: string): Promise<number> {
  const c = await getConnect(s, name);
  for (const line of urlLines(c)) s.out(line);
  return 0;
}

/** Why the server pod cannot take a port-forward, or undefined when it can. */
export function serverProblem(c: SparkConnect, pod: V1Pod | undefined): string | undefined {
  const name = c.status?.server?.podName || serverPodName(c);
  if (!pod) {
    const condition = c.status?.conditions?.find((x) => x.type === SERVER_POD_READY);
    return `server pod ${name} does not exist${condition ? ` (${condition.reason}: ${condition.message})` : ''}`;
  }
  if (pod.metadata?.deletionTimestamp) return `server pod ${name} is being deleted`;
  const phase = pod.status?.phase || 'Pending';
  if (phase !== 'Running') return `server pod ${name} is ${phase}, not Running`;
  return undefined;
}

async function portForward(s: Session, name: string, localPort: number | undefined): Promise<number> {
  const c = await getConnect(s, name);
  const podName = c.status?.server?.podName || serverPodName(c);
  const pod = await s.client.apiReader
    .get(Pods, { namespace: s.namespace, name: podName })
    .catch((err: unknown) => (isNotFound(err) ? undefined : explainConnect(err, `pod ${podName}`)));
  const problem = serverProblem(c, pod);
  if (problem) throw new CommandError(`${RESOURCE}/${name}: ${problem}`);
  const endpoint = () => portForwardEndpoint(s.kubeConfig, s.namespace, podName, CONNECT_PORT);
  try {
    await checkPortForward(await endpoint(), CONNECT_PORT);
  } catch (err) {
    if (!(err instanceof PortForwardError)) throw err;
    throw new CommandError(`cannot forward to port ${CONNECT_PORT} of pod ${podName}: ${err.message}`, { cause: err });
  }
  const forward = {
    endpoint,
    port: CONNECT_PORT,
    onError: (err: Error) => console.error(`error: port ${CONNECT_PORT} of pod ${podName}: ${err.message}`),
  };
  const listener = await listenPortForward({ ...forward, localPort: localPort ?? CONNECT_PORT }).catch(
    (err: NodeJS.ErrnoException) => {
      // A local Spark Connect server may hold 15002: any free port will do, unless --port asked for one.
      if (err.code === 'EADDRINUSE' && localPort === undefined) return listenPortForward({ ...forward, localPort: 0 });
      if (err.code === 'EADDRINUSE') throw new CommandError(`local port ${localPort} is in use`, { cause: err });
      throw err;
    },
  );
  s.out(`sc://127.0.0.1:${listener.port}`);
  console.error(
    `forwarding 127.0.0.1:${listener.port} to port ${CONNECT_PORT} of pod ${podName} (Service ${serviceName(c)}); Ctrl-C to stop`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await listener.close();
  return 0;
}
