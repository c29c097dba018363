// sparkctl logs and ui: the log of an application's driver (or of one executor), and the driver's Spark UI through
// a port-forward, both through the API server as kubectl does. Choosing the pod, container and port is pure
// (logTarget, uiTarget); the commands read the application and its pods, then stream the log or forward the port.
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { API_GROUP, API_GROUP_VERSION, SPARK_APPLICATION_KIND, type SparkApplication } from '../api/index.ts';
import { SPARK_ROLE_LABEL } from '../api/vocabulary.ts';
import {
  apiErrorFrom,
  type Client,
  HttpTransport,
  isNotFound,
  type KubeObject,
  kind,
  newClient,
} from '../runtime/index.ts';
import { executorId } from '../spark/lifecycle/executors.ts';
import { driverPodName } from '../spark/lifecycle/naming.ts';
import { APP_NAME_LABEL, DRIVER_CONTAINER_NAME, SUBMISSION_ID_LABEL } from '../spark/lifecycle/types.ts';
import { EXECUTOR_CONTAINER_NAME } from '../spark/submit-request.ts';
import { CommandError, explain, loadKubeConfig } from './app-commands.ts';
import { UsageError } from './errors.ts';
import { checkPortForward, listenPortForward, PortForwardError, portForwardEndpoint } from './port-forward.ts';

type App = SparkApplication & KubeObject;
const SparkApplications = kind<App>(API_GROUP_VERSION, SPARK_APPLICATION_KIND);
const Pods = kind<V1Pod & KubeObject>('v1', 'Pod');
const RESOURCE = `sparkapplication.${API_GROUP}`;
const SPARK_EXEC_ID_LABEL = 'spark-exec-id';
const SPARK_UI_PORT_NAME = 'spark-ui';
const DEFAULT_UI_PORT = 4040;

export const POD_USAGE = `Driver and executor commands (through the API server, as kubectl logs / port-forward):
  logs NAME [-n NS] [--executor N] [-c C] [-f] [-p] [--tail N]
                                  the driver's log (--executor N: the executor with Spark executor id N);
                                  -f/--follow streams it until the container exits, -p/--previous shows the
                                  previous container's, --tail N the last N lines, -c/--container another container
  ui NAME [-n NS] [--port LOCAL]  forward 127.0.0.1:LOCAL (default the UI's port, 4040) to the driver's Spark UI
                                  until Ctrl-C
  Common: -n/--namespace NS, --kubeconfig PATH`;

/** The fields of a pod the choices read (a V1Pod is one). */
export interface PodView {
  readonly metadata?: {
    readonly name?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly creationTimestamp?: Date | string;
  };
  readonly spec?: {
    readonly containers: readonly {
      readonly name: string;
      readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
    }[];
    readonly initContainers?: readonly { readonly name: string }[];
  };
  readonly status?: { readonly phase?: string };
}

export interface LogsOptions {
  readonly name: string;
  readonly namespace?: string;
  readonly kubeconfig?: string;
  /** Spark's executor id (spark-exec-id); the driver when absent. */
  readonly executor?: number;
  readonly container?: string;
  readonly follow: boolean;
  readonly previous: boolean;
  /** The last N lines; every line when absent. */
  readonly tail?: number;
}

export interface UiOptions {
  readonly name: string;
  readonly namespace?: string;
  readonly kubeconfig?: string;
  /** The local port; the UI's own port when absent (or any free one when that is taken). */
  readonly port?: number;
}

export type Choice<T> = T | { readonly error: string };

export function isError<T extends object>(choice: Choice<T>): choice is { readonly error: string } {
  return 'error' in choice;
}

function oneName(command: string, positionals: readonly string[]): string {
  const [name, ...extra] = positionals;
  if (!name) throw new UsageError(`${command} needs the application's NAME`);
  if (extra.length > 0) throw new UsageError(`${command} takes one NAME (got ${positionals.length})`);
  return name;
}

export function parseLogsArgs(argv: readonly string[]): LogsOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      namespace: { type: 'string', short: 'n' },
      kubeconfig: { type: 'string' },
      executor: { type: 'string' },
      container: { type: 'string', short: 'c' },
      follow: { type: 'boolean', short: 'f', default: false },
      previous: { type: 'boolean', short: 'p', default: false },
      tail: { type: 'string' },
    },
    allowPositionals: true,
  });
  const name = oneName('logs', positionals);
  let executor: number | undefined;
  if (values.executor !== undefined) {
    if (!/^\d+$/.test(values.executor)) {
      throw new UsageError(`--executor ${values.executor}: expected a Spark executor id (a whole number, e.g. 1)`);
    }
    executor = Number(values.executor);
  }
  let tail: number | undefined;
  if (values.tail !== undefined) {
    if (!/^(\d+|-1)$/.test(values.tail)) {
      throw new UsageError(`--tail ${values.tail}: expected a number of lines (-1: all)`);
    }
    tail = Number(values.tail) < 0 ? undefined : Number(values.tail);
  }
  if (values.container === '') throw new UsageError('--container needs a container name');
  return {
    name,
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
    ...(executor !== undefined ? { executor } : {}),
    ...(values.container !== undefined ? { container: values.container } : {}),
    follow: values.follow,
    previous: values.previous,
    ...(tail !== undefined ? { tail } : {}),
  };
}

export function parseUiArgs(argv: readonly string[]): UiOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      namespace: { type: 'string', short: 'n' },
      kubeconfig: { type: 'string' },
      port: { type: 'string' },
    },
    allowPositionals: true,
  });
  const name = oneName('ui', positionals);
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) {
      throw new UsageError(`--port ${values.port}: expected a local port, 0–65535 (0: any free port)`);
    }
  }
  return {
    name,
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

/** The driver pod's name: the one the status records, else the naming rule (spec.driver.podName, "<app>-driver"). */
export function driverPodOf(app: SparkApplication): string {
  return app.status?.driverInfo?.podName || driverPodName(app);
}

/** Why the driver pod is not there, from the application's state. */
function missingDriver(app: SparkApplication, pod: string): string {
  const state = app.status?.applicationState?.state ?? '';
  const message = app.status?.applicationState?.errorMessage;
  switch (state) {
    case '':
    case 'SUBMITTED':
    case 'PENDING_RERUN':
    case 'RESUMING':
      return `the driver pod has not been created yet (state ${state || 'new'})`;
    case 'SUBMISSION_FAILED':
      return `the driver pod has not been created: the submission failed${message ? `: ${message}` : ''}`;
    case 'SUSPENDING':
    case 'SUSPENDED':
      return `the application is suspended (state ${state}): it has no driver pod`;
    case 'INVALIDATING':
      return `driver pod ${pod} is gone (the spec changed; the application is submitted again)`;
    case 'SUCCEEDING':
    case 'FAILING':
    case 'COMPLETED':
    case 'FAILED':
      return `driver pod ${pod} is gone (the application ended; its pod was deleted)`;
    default:
      return `driver pod ${pod} not found (state ${state}: it was deleted)`;
  }
}

function findDriver(app: SparkApplication, pods: readonly PodView[]): Choice<{ readonly pod: PodView }> {
  const name = driverPodOf(app);
  const pod = pods.find((p) => p.metadata?.name === name);
  return pod ? { pod } : { error: missingDriver(app, name) };
}

/** A pod's Spark executor id: its spark-exec-id label, else its name's trailing number. */
function executorIdOf(pod: PodView): number {
  const label = pod.metadata?.labels?.[SPARK_EXEC_ID_LABEL];
  return label !== undefined && /^\d+$/.test(label) ? Number(label) : executorId(pod.metadata?.name ?? '');
}

const created = (pod: PodView) => new Date(pod.metadata?.creationTimestamp ?? 0).getTime();

function findExecutor(app: SparkApplication, pods: readonly PodView[], id: number): Choice<{ readonly pod: PodView }> {
  const executors = pods.filter((p) => p.metadata?.labels?.[SPARK_ROLE_LABEL] === 'executor');
  const matching = executors.filter((p) => executorIdOf(p) === id);
  if (matching.length > 0) {
    // Executors of an older submission may linger: the current submission's first, then the newest.
    const submission = app.status?.submissionID;
    const current = (p: PodView) => (submission && p.metadata?.labels?.[SUBMISSION_ID_LABEL] === submission ? 1 : 0);
    const pod = [...matching].sort((a, b) => current(b) - current(a) || created(b) - created(a))[0] as PodView;
    return { pod };
  }
  const tracked = Object.entries(app.status?.executorState ?? {});
  const gone = tracked.find(([name]) => executorId(name) === id);
  if (gone) return { error: `executor ${id} (pod ${gone[0]}, ${gone[1]}) is gone: its pod was deleted` };
  const ids = [...new Set([...executors.map(executorIdOf), ...tracked.map(([name]) => executorId(name))])].sort(
    (a, b) => a - b,
  );
  return {
    error:
      ids.length > 0
        ? `executor ${id} not found; the application's executors: ${ids.join(', ')}`
        : `executor ${id} not found: the application has no executors`,
  };
}

function chooseContainer(pod: PodView, requested: string | undefined, preferred: string): Choice<string> {
  const names = pod.spec?.containers.map((c) => c.name) ?? [];
  if (requested !== undefined) {
    const all = [...names, ...(pod.spec?.initContainers ?? []).map((c) => c.name)];
    if (all.length > 0 && !all.includes(requested)) {
      return { error: `pod ${pod.metadata?.name} has no container "${requested}"; its containers: ${all.join(', ')}` };
    }
    return requested;
  }
  return names.length === 0 || names.includes(preferred) ? preferred : (names[0] as string);
}

export interface LogTarget {
  readonly pod: string;
  readonly container: string;
}

/**
 * The pod and container whose log to show: the driver's (`spark-kubernetes-driver`), or with `executor` the pod of
 * that Spark executor id (`spark-kubernetes-executor`); `container` picks another. `pods` are those read for the
 * application: the driver pod when it exists, or its executor pods.
 */
export function logTarget(
  app: SparkApplication,
  pods: readonly PodView[],
  options: { readonly executor?: number; readonly container?: string },
): Choice<LogTarget> {
  const found = options.executor === undefined ? findDriver(app, pods) : findExecutor(app, pods, options.executor);
  if (isError(found)) return found;
  const preferred = options.executor === undefined ? DRIVER_CONTAINER_NAME : EXECUTOR_CONTAINER_NAME;
  const container = chooseContainer(found.pod, options.container, preferred);
  if (typeof container !== 'string') return container;
  return { pod: found.pod.metadata?.name ?? '', container };
}

/** The log subresource's path and query, as kubectl logs asks for it. */
export function logPath(
  namespace: string,
  target: LogTarget,
  options: { readonly follow?: boolean; readonly previous?: boolean; readonly tail?: number },
): string {
  const query = new URLSearchParams({ container: target.container });
  if (options.follow) query.set('follow', 'true');
  if (options.previous) query.set('previous', 'true');
  if (options.tail !== undefined) query.set('tailLines', String(options.tail));
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(target.pod)}/log?${query}`;
}

/** The port the driver's UI listens on: its container's `spark-ui` port, else spark.ui.port, else 4040. */
export function driverUiPort(app: SparkApplication, pod: PodView): number {
  const containers = pod.spec?.containers ?? [];
  const driver = containers.find((c) => c.name === DRIVER_CONTAINER_NAME) ?? containers[0];
  const declared = driver?.ports?.find((p) => p.name === SPARK_UI_PORT_NAME)?.containerPort;
  if (declared !== undefined && declared > 0) return declared;
  const fromConf = Number(app.spec.sparkConf?.['spark.ui.port']);
  return Number.isInteger(fromConf) && fromConf > 0 && fromConf < 65536 ? fromConf : DEFAULT_UI_PORT;
}

/** The driver pod and port to forward to, or why there is no UI to reach. */
export function uiTarget(app: SparkApplication, pods: readonly PodView[]): Choice<{ pod: string; port: number }> {
  if (app.spec.sparkConf?.['spark.ui.enabled'] === 'false') {
    return { error: 'the Spark UI is disabled (spark.ui.enabled=false)' };
  }
  const found = findDriver(app, pods);
  if (isError(found)) return found;
  const name = found.pod.metadata?.name ?? '';
  const phase = found.pod.status?.phase || 'Pending';
  if (phase === 'Pending') return { error: `driver pod ${name} is Pending: its Spark UI starts once it runs` };
  if (phase === 'Succeeded' || phase === 'Failed') {
    return { error: `driver pod ${name} has ended (${phase}): its Spark UI ended with it` };
  }
  if (phase !== 'Running') return { error: `driver pod ${name} is ${phase}, not Running` };
  return { pod: name, port: driverUiPort(app, found.pod) };
}

interface Session {
  readonly kubeConfig: KubeConfig;
  readonly client: Client;
  readonly namespace: string;
}

function session(options: { readonly namespace?: string; readonly kubeconfig?: string }): Session {
  const kubeConfig = loadKubeConfig(options.kubeconfig);
  const contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  return {
    kubeConfig,
    client: newClient({ kubeConfig, userAgent: 'sparkctl' }),
    namespace: options.namespace ?? contextNamespace ?? 'default',
  };
}

async function getApplication(s: Session, name: string): Promise<App> {
  return s.client
    .get(SparkApplications, { namespace: s.namespace, name })
    .catch((err: unknown) => explain(err, `${RESOURCE} "${name}" in namespace ${s.namespace}`));
}

async function driverPods(s: Session, app: App): Promise<V1Pod[]> {
  const name = driverPodOf(app);
  const pod = await s.client.apiReader
    .get(Pods, { namespace: s.namespace, name })
    .catch((err: unknown) => (isNotFound(err) ? undefined : explain(err, `pod ${name}`)));
  return pod ? [pod] : [];
}

async function executorPods(s: Session, app: App): Promise<V1Pod[]> {
  const labelSelector = `${APP_NAME_LABEL}=${app.metadata?.name ?? ''},${SPARK_ROLE_LABEL}=executor`;
  return s.client.apiReader
    .list(Pods, { namespace: s.namespace, labelSelector })
    .catch((err: unknown) => explain(err, 'executor pods'));
}

/** `sparkctl logs NAME …` */
export async function logsCommand(
  argv: readonly string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const options = parseLogsArgs(argv);
  const s = session(options);
  const app = await getApplication(s, options.name);
  const pods = options.executor === undefined ? await driverPods(s, app) : await executorPods(s, app);
  const target = logTarget(app, pods, options);
  if (isError(target)) throw new CommandError(`${RESOURCE}/${options.name}: ${target.error}`);
  await streamLog(s.kubeConfig, logPath(s.namespace, target, options), options.follow, out);
  return 0;
}

/** Streams the log to `out` as it arrives; with follow, until the server ends it (the container exited). */
async function streamLog(kubeConfig: KubeConfig, path: string, follow: boolean, out: NodeJS.WritableStream) {
  const transport = new HttpTransport(kubeConfig, 'sparkctl');
  try {
    const res = await transport
      .send({ method: 'GET', path, accept: 'text/plain, */*', idleTimeoutMs: follow ? 0 : 60_000 })
      .catch((err: unknown) => explain(err, 'the log'));
    const status = res.statusCode ?? 0;
    if (status >= 400) {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      throw new CommandError(apiErrorFrom(status, Buffer.concat(chunks).toString('utf8')).message);
    }
    await pipeline(res, out, { end: false }).catch((err: unknown) => {
      // The reader went away (`| head`): nothing more to print.
      if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
    });
  } finally {
    transport.close();
  }
}

/** `sparkctl ui NAME …` */
export async function uiCommand(
  argv: readonly string[],
  out: (line: string) => void = console.log,
  warn: (line: string) => void = console.error,
): Promise<number> {
  const options = parseUiArgs(argv);
  const s = session(options);
  const app = await getApplication(s, options.name);
  const target = uiTarget(app, await driverPods(s, app));
  if (isError(target)) throw new CommandError(`${RESOURCE}/${options.name}: ${target.error}`);
  const endpoint = () => portForwardEndpoint(s.kubeConfig, s.namespace, target.pod, target.port);
  try {
    await checkPortForward(await endpoint(), target.port);
  } catch (err) {
    if (!(err instanceof PortForwardError)) throw err;
    throw new CommandError(`cannot forward to port ${target.port} of pod ${target.pod}: ${err.message}`, {
      cause: err,
    });
  }
  const forward = {
    endpoint,
    port: target.port,
    onError: (err: Error) => warn(`error: port ${target.port} of pod ${target.pod}: ${err.message}`),
  };
  const listener = await listenPortForward({ ...forward, localPort: options.port ?? target.port }).catch(
    (err: NodeJS.ErrnoException) => {
      // The UI's own port is taken here (a local Spark?): any free port will do, unless --port asked for one.
      if (err.code === 'EADDRINUSE' && options.port === undefined)
        return listenPortForward({ ...forward, localPort: 0 });
      if (err.code === 'EADDRINUSE') throw new CommandError(`local port ${options.port} is in use`, { cause: err });
      throw err;
    },
  );
  out(`Spark UI of ${options.name}: http://127.0.0.1:${listener.port}  (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await listener.close();
  return 0;
}
