// sparkctl's application commands: create, list (-w), status, events, delete — kubectl-like, on the cluster of
// --kubeconfig (else $KUBECONFIG, ~/.kube/config, in-cluster). `create` validates in-process first and creates
// nothing when any object in the file is invalid.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import {
  API_GROUP,
  API_GROUP_VERSION,
  formatIssues,
  SCHEDULED_SPARK_APPLICATION_KIND,
  SPARK_APPLICATION_KIND,
  SPARK_CONNECT_KIND,
  type SparkApplication,
  type ValidationIssue,
  validateScheduledSparkApplication,
  validateSparkApplication,
  validateSparkConnect,
} from '../api/index.ts';
import {
  Cache,
  type Client,
  gvk,
  gvkString,
  isAlreadyExists,
  isInvalid,
  isNoKindMatch,
  isNotFound,
  type KubeObject,
  kind,
  newClient,
  TransportError,
} from '../runtime/index.ts';
import { UsageError } from './errors.ts';
import {
  age,
  applicationRow,
  applicationTable,
  formatFields,
  formatObjects,
  formatTable,
  humanDuration,
  type OutputFormat,
  outputFormat,
} from './output.ts';

type App = SparkApplication & KubeObject;
const SparkApplications = kind<App>(API_GROUP_VERSION, SPARK_APPLICATION_KIND);
interface CoreEventObject extends KubeObject {
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly count?: number;
  readonly lastTimestamp?: string | Date;
  readonly eventTime?: string | Date;
  readonly firstTimestamp?: string | Date;
  readonly involvedObject?: { readonly kind?: string; readonly name?: string };
}
const Events = kind<CoreEventObject>('v1', 'Event');
const RESOURCE = `sparkapplication.${API_GROUP}`;

export const APP_COMMANDS = ['create', 'list', 'status', 'events', 'delete'] as const;

export const APP_USAGE = `Application commands (cluster: --kubeconfig, else $KUBECONFIG or ~/.kube/config):
  create -f FILE [-n NS]          validate, then create every object in FILE, as kubectl create -f ("-" reads stdin)
  list [-n NS | -A] [-w]          NAME, STATUS, ATTEMPTS, START, FINISH, AGE; -w prints each change until Ctrl-C
  status NAME [-n NS]             state, attempts, driver, error message and executors of one application
  events NAME [-n NS]             the Events of the application and of its driver pod, oldest first
  delete NAME [-n NS]             delete the application (its pods and services go with it)
  Common: -n/--namespace NS, -o/--output yaml|json (create, list, status), --kubeconfig PATH`;

/** A failure to report without a stack trace (exit 1): not found, rejected by the server, unreachable cluster. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

interface Context {
  readonly client: Client;
  readonly kubeConfig: KubeConfig;
  /** -n, else the kubeconfig context's namespace, else "default". */
  readonly namespace: string;
  readonly namespaceGiven: boolean;
  readonly output: OutputFormat;
  readonly out: (text: string) => void;
  readonly now: () => number;
}

const COMMON_OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  output: { type: 'string', short: 'o' },
  kubeconfig: { type: 'string' },
  file: { type: 'string', short: 'f' },
  'all-namespaces': { type: 'boolean', short: 'A', default: false },
  watch: { type: 'boolean', short: 'w', default: false },
} as const;

export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (path) kc.loadFromFile(path);
    else kc.loadFromDefault();
  } catch (err) {
    throw new UsageError(`cannot load the kubeconfig${path ? ` ${path}` : ''}: ${(err as Error).message}`);
  }
  const server = kc.getCurrentCluster()?.server;
  if (!server || server === 'http://localhost' || kc.getContexts().length === 0) {
    throw new UsageError(
      'no cluster configured: set KUBECONFIG or pass --kubeconfig (`npm start` prints the export KUBECONFIG line)',
    );
  }
  return kc;
}

/** Errors of the API as messages a user can act on. */
export function explain(err: unknown, what: string): never {
  if (isNotFound(err)) throw new CommandError(`${what} not found`, { cause: err });
  if (isNoKindMatch(err)) {
    const served = err.group === API_GROUP ? ': start sparkop once (it installs the CRDs)' : '';
    throw new CommandError(`the cluster does not serve ${err.kind} (${gvkString(err)})${served}`, { cause: err });
  }
  if (err instanceof TransportError) {
    throw new CommandError(`cannot reach the cluster: ${err.message}`, { cause: err });
  }
  throw err;
}

export async function appCommand(command: (typeof APP_COMMANDS)[number], argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: COMMON_OPTIONS, allowPositionals: true });
  const output = outputFormat(values.output);
  // Check what can be checked before touching the cluster (and before loading a kubeconfig).
  const name = positionals[0];
  if (command === 'create') {
    if (!values.file) throw new UsageError('create needs -f FILE');
    if (positionals.length > 0) throw new UsageError(`create takes no NAME (got "${positionals[0]}")`);
  } else if (command !== 'list') {
    if (!name) throw new UsageError(`${command} needs the application's NAME`);
    if (positionals.length > 1) throw new UsageError(`${command} takes one NAME (got ${positionals.length})`);
  } else if (positionals.length > 0) {
    throw new UsageError(`list takes no NAME (got "${positionals[0]}"); use status NAME`);
  }
  const objects = command === 'create' ? readObjects(values.file ?? '') : [];
  const kubeConfig = loadKubeConfig(values.kubeconfig);
  const contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  const ctx: Context = {
    client: newClient({ kubeConfig, userAgent: 'sparkctl' }),
    kubeConfig,
    namespace: values.namespace ?? contextNamespace ?? 'default',
    namespaceGiven: values.namespace !== undefined,
    output,
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    now: () => Date.now(),
  };
  switch (command) {
    case 'create':
      return create(ctx, objects);
    case 'list':
      return list(ctx, values['all-namespaces'], values.watch);
    case 'status':
      return status(ctx, name ?? '');
    case 'events':
      return events(ctx, name ?? '');
    case 'delete':
      return remove(ctx, name ?? '');
  }
}

/** What `create -f` checks in-process, per kind of this API; other kinds go to the API server as they are. */
const VALIDATORS: Readonly<Record<string, (value: unknown) => readonly ValidationIssue[]>> = {
  [SPARK_APPLICATION_KIND]: validateSparkApplication,
  [SCHEDULED_SPARK_APPLICATION_KIND]: validateScheduledSparkApplication,
  [SPARK_CONNECT_KIND]: validateSparkConnect,
};

/**
 * Every object in the file, as `kubectl create -f` takes them (a manifest may carry the ConfigMaps and Secrets its
 * application mounts): SparkApplications, ScheduledSparkApplications and SparkConnects validated by their schema,
 * any other object needing apiVersion, kind and metadata.name. Any problem fails the whole file (nothing is created).
 */
export function readObjects(file: string): KubeObject[] {
  return parseManifests(file, (value) => {
    const { apiVersion, kind: k, metadata } = value as Partial<KubeObject>;
    const validate = typeof k === 'string' ? VALIDATORS[k] : undefined;
    if (validate) return validate(value);
    if (typeof apiVersion !== 'string' || !apiVersion || typeof k !== 'string' || !k || !metadata?.name) {
      return [{ path: '', message: 'a Kubernetes object needs apiVersion, kind and metadata.name' }];
    }
    return [];
  });
}

/** Every object of `objectKind` in the file, each validated; any problem fails the whole file (nothing is created). */
export function readManifests<T>(
  file: string,
  objectKind: string,
  validate: (value: unknown) => readonly ValidationIssue[],
): T[] {
  const found = parseManifests(file, (value) => {
    const k = (value as { kind?: unknown }).kind;
    if (k !== objectKind) return `kind ${k === undefined ? '(none)' : JSON.stringify(k)} is not ${objectKind}`;
    return validate(value);
  });
  return found as T[];
}

/**
 * The file's YAML documents, each checked by `check` (a problem of its own, or the issues of a validation); the
 * problems of every document, or an empty file, fail the whole file.
 */
function parseManifests(file: string, check: (value: object) => string | readonly ValidationIssue[]): KubeObject[] {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${file}: file not found` : `${file}: cannot read (${code ?? err})`);
  }
  const found: KubeObject[] = [];
  const problems: string[] = [];
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new UsageError(`${file}: not a YAML document`);
  docs.forEach((doc, i) => {
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      const where = pos ? `line ${pos.line}, column ${pos.col}` : 'unknown position';
      problems.push(`YAML syntax error at ${where}: ${error.message.split('\n')[0]}`);
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return; // an empty document, e.g. after a trailing ---
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`document ${i + 1}: not a Kubernetes object`);
      return;
    }
    const result = check(value);
    if (typeof result === 'string') {
      problems.push(`document ${i + 1}: ${result}`);
      return;
    }
    const object = value as KubeObject;
    const label = `${object.kind ?? 'object'} ${object.metadata?.name ?? `(document ${i + 1})`}`;
    if (result.length > 0) problems.push(`${label} is invalid:\n${formatIssues(result)}`);
    else found.push(object);
  });
  if (problems.length > 0) throw new UsageError(`${file}: nothing created.\n${problems.join('\n')}`);
  if (found.length === 0) throw new UsageError(`${file}: no object found`);
  return found;
}

async function create(ctx: Context, objects: readonly KubeObject[]): Promise<number> {
  const created = await createObjects(ctx, objects, explain);
  if (ctx.output !== 'table') ctx.out(formatObjects(created, ctx.output, created.length > 1));
  return 0;
}

/** kubectl's name for an object's resource in "created" lines: `configmap`, `sparkapplication.sparkoperator.k8s.io`. */
export function resourceName(object: KubeObject): string {
  const apiVersion = object.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  return `${(object.kind ?? '').toLowerCase()}${group ? `.${group}` : ''}`;
}

/**
 * Creates `objects` in file order, the namespaced ones in their own namespace, else the context's (-n must agree
 * with a namespace they name), printing "<resource>/<name> created" for table output; the first refusal ends it,
 * explained.
 */
export async function createObjects<T extends KubeObject>(
  ctx: Pick<Context, 'client' | 'namespace' | 'namespaceGiven' | 'output' | 'out'>,
  objects: readonly T[],
  explainError: (err: unknown, what: string) => never,
): Promise<T[]> {
  for (const object of objects) {
    const own = object.metadata?.namespace;
    if (own && ctx.namespaceGiven && own !== ctx.namespace) {
      throw new UsageError(
        `${object.kind} ${object.metadata?.name}: its namespace ${own} differs from -n ${ctx.namespace}; nothing created`,
      );
    }
  }
  const created: T[] = [];
  for (const object of objects) {
    const what = `${resourceName(object)}/${object.metadata?.name}`;
    try {
      const mapping = await ctx.client.mapper.mapping(gvk(object.apiVersion ?? '', object.kind ?? ''));
      const target = mapping.namespaced
        ? ({ ...object, metadata: { ...object.metadata, namespace: object.metadata?.namespace ?? ctx.namespace } } as T)
        : object;
      created.push(await ctx.client.create(target));
    } catch (err) {
      if (isAlreadyExists(err)) {
        throw new CommandError(`${what} already exists in namespace ${object.metadata?.namespace ?? ctx.namespace}`, {
          cause: err,
        });
      }
      if (isInvalid(err)) {
        const causes = err.causes.map((c) => `  ${c.field ?? ''}: ${c.message ?? ''}`).join('\n');
        throw new CommandError(`${what}: rejected by the API server: ${err.message}${causes ? `\n${causes}` : ''}`, {
          cause: err,
        });
      }
      explainError(err, what);
    }
    if (ctx.output === 'table') ctx.out(`${what} created`);
  }
  return created;
}

const byNamespaceAndName = (a: App, b: App) =>
  `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`);

async function list(ctx: Context, allNamespaces: boolean, watch: boolean): Promise<number> {
  const namespace = allNamespaces ? undefined : ctx.namespace;
  const apps = await ctx.client
    .list(SparkApplications, namespace ? { namespace } : {})
    .catch((err: unknown) => explain(err, 'SparkApplications'));
  const sorted = [...apps].sort(byNamespaceAndName);
  if (!watch) {
    if (ctx.output !== 'table') ctx.out(formatObjects(sorted, ctx.output, true));
    else if (sorted.length === 0)
      ctx.out(`No SparkApplications found${namespace ? ` in namespace ${namespace}` : ''}.`);
    else ctx.out(applicationTable(sorted, ctx.now(), allNamespaces));
    return 0;
  }
  return watchApplications(ctx, namespace, allNamespaces);
}

/** Prints the table's header, then one row per application whenever its printed columns (but AGE) change. */
async function watchApplications(ctx: Context, namespace: string | undefined, withNamespace: boolean): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const cache = new Cache({
    kubeConfig: ctx.kubeConfig,
    ...(namespace ? { scopes: new Map([[gvkString(SparkApplications), { namespaces: [namespace] }]]) } : {}),
  });
  const last = new Map<string, string>();
  let headerPrinted = false;
  const show = (app: App) => {
    const row = applicationRow(app, ctx.now(), withNamespace);
    const key = `${app.metadata?.namespace}/${app.metadata?.name}`;
    const signature = row.slice(0, -1).join('\u0000');
    if (last.get(key) === signature) return;
    last.set(key, signature);
    if (ctx.output !== 'table') {
      ctx.out(ctx.output === 'json' ? JSON.stringify(app) : `---\n${formatObjects([app], 'yaml', false)}`);
      return;
    }
    const headers = withNamespace ? ['NAMESPACE', 'NAME', 'STATUS', 'ATTEMPTS', 'START', 'FINISH', 'AGE'] : undefined;
    // Fixed widths keep rows of later changes aligned with the first ones.
    const widths = withNamespace ? [20, 30, 18, 9, 21, 21] : [30, 18, 9, 21, 21];
    const line = (cells: readonly string[]) =>
      cells
        .map((c, i) => (i < widths.length ? c.padEnd(widths[i] ?? 0) : c))
        .join(' ')
        .trimEnd();
    if (!headerPrinted) {
      ctx.out(line(headers ?? ['NAME', 'STATUS', 'ATTEMPTS', 'START', 'FINISH', 'AGE']));
      headerPrinted = true;
    }
    ctx.out(line(row));
  };
  const informer = await cache.getInformer<App>(SparkApplications);
  informer.addEventHandler({ onAdd: show, onUpdate: (_old, app) => show(app) });
  const running = cache.start(stop.signal);
  const synced = await cache.waitForSync(stop.signal);
  if (synced && !headerPrinted && ctx.output === 'table') {
    ctx.out(`No SparkApplications yet${namespace ? ` in namespace ${namespace}` : ''}; watching (Ctrl-C to stop).`);
  }
  await running;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return 0;
}

async function getApp(ctx: Context, name: string): Promise<App> {
  return ctx.client
    .get(SparkApplications, { namespace: ctx.namespace, name })
    .catch((err: unknown) => explain(err, `${RESOURCE} "${name}" in namespace ${ctx.namespace}`));
}

async function status(ctx: Context, name: string): Promise<number> {
  const app = await getApp(ctx, name);
  if (ctx.output !== 'table') {
    ctx.out(formatObjects([app], ctx.output, false));
    return 0;
  }
  const s = app.status;
  const driver = s?.driverInfo;
  const ui =
    driver?.webUIAddress ?? (driver?.webUIServiceName ? `${driver.webUIServiceName}:${driver.webUIPort ?? 4040}` : '');
  const fields: [string, string][] = [
    ['Name', app.metadata?.name ?? ''],
    ['Namespace', app.metadata?.namespace ?? ''],
    ['State', s?.applicationState?.state || '<none> (not yet seen by the operator)'],
    ['Submission attempts', String(s?.submissionAttempts ?? 0)],
    ['Execution attempts', String(s?.executionAttempts ?? 0)],
    ['Submitted', s?.lastSubmissionAttemptTime ? String(s.lastSubmissionAttemptTime) : '<none>'],
    ['Terminated', s?.terminationTime ? String(s.terminationTime) : '<none>'],
    ['Age', age(app.metadata?.creationTimestamp, ctx.now())],
    ['Spark application ID', s?.sparkApplicationId ?? '<none>'],
    ['Submission ID', s?.submissionID ?? '<none>'],
    ['Driver pod', driver?.podName ?? '<none>'],
    ['Spark UI', ui || '<none>'],
  ];
  if (driver?.webUIIngressAddress) fields.push(['Spark UI ingress', driver.webUIIngressAddress]);
  if (s?.applicationState?.errorMessage) fields.push(['Error', s.applicationState.errorMessage]);
  const executors = Object.entries(s?.executorState ?? {}).sort(([a], [b]) =>
    a.localeCompare(b, 'en', { numeric: true }),
  );
  const text = [
    formatFields(fields),
    executors.length === 0
      ? 'Executors: <none>'
      : `Executors (${executors.length}):\n${indent(
          formatTable(
            ['NAME', 'STATE'],
            executors.map(([n, st]) => [n, String(st)]),
          ),
        )}`,
  ];
  ctx.out(text.join('\n'));
  return 0;
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');

const eventTime = (e: CoreEventObject) =>
  new Date(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? 0).getTime();

async function events(ctx: Context, name: string): Promise<number> {
  const app = await getApp(ctx, name);
  const selectors = [`involvedObject.kind=${SPARK_APPLICATION_KIND},involvedObject.name=${name}`];
  const driverPod = app.status?.driverInfo?.podName;
  if (driverPod) selectors.push(`involvedObject.kind=Pod,involvedObject.name=${driverPod}`);
  const found = (
    await Promise.all(
      selectors.map((fieldSelector) => ctx.client.apiReader.list(Events, { namespace: ctx.namespace, fieldSelector })),
    )
  ).flat();
  const sorted = found.sort(
    (a, b) => eventTime(a) - eventTime(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  );
  if (sorted.length === 0) {
    ctx.out(`No events for ${RESOURCE}/${name}${driverPod ? ` or pod/${driverPod}` : ''}.`);
    return 0;
  }
  const now = ctx.now();
  const rows = sorted.map((e) => [
    humanDuration(now - eventTime(e)),
    e.type ?? '',
    e.reason ?? '',
    `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`,
    `${e.message ?? ''}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}`,
  ]);
  ctx.out(formatTable(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], rows));
  return 0;
}

async function remove(ctx: Context, name: string): Promise<number> {
  const what = `${RESOURCE} "${name}" in namespace ${ctx.namespace}`;
  const app = await getApp(ctx, name);
  await ctx.client.delete(app, { propagationPolicy: 'Background' }).catch((err: unknown) => explain(err, what));
  ctx.out(`${RESOURCE} "${name}" deleted`);
  return 0;
}
