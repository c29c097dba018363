// Cluster access without @kubernetes/client-node when the credentials are simple. Loading client-node's KubeConfig
// loads the whole package (its config.js imports every generated API and model, and undici): about 77 MB of RSS in
// a process that otherwise needs none of it. In-cluster service accounts and kubeconfigs with certificates, tokens
// or basic auth are read here; anything else (exec plugins, auth-provider, proxy-url) gets client-node's KubeConfig,
// imported only then.
import { readFileSync, statSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { dirname, isAbsolute, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';

/**
 * What the runtime needs of a kubeconfig: the API server, and the TLS material and headers per request (asked
 * afresh per request so rotating credentials are picked up). client-node's KubeConfig is one.
 */
export interface KubeAccess {
  getCurrentCluster(): { readonly server: string } | null;
  applyToHTTPSOptions(options: RequestOptions): Promise<void>;
}

export type KubeConfigSource = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'in-cluster' };

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** A token file is read again after this long (client-node's FileAuth: 60 s), so rotated tokens are used. */
const TOKEN_FILE_TTL_MS = 60_000;

/** The access `source` describes: a light one when its credentials are simple, client-node's KubeConfig otherwise. */
export async function loadKubeAccess(
  source: KubeConfigSource,
  env: NodeJS.ProcessEnv = process.env,
): Promise<KubeAccess> {
  return lightKubeAccess(source, env) ?? (await clientNodeKubeConfig(source));
}

/** client-node's KubeConfig for `source` (imports the package). */
export async function clientNodeKubeConfig(source: KubeConfigSource): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  if (source.kind === 'in-cluster') kc.loadFromCluster();
  else kc.loadFromFile(source.path);
  return kc;
}

/** client-node's KubeConfig for an access loaded by loadKubeAccess (itself, if it is one). */
export async function asClientNodeKubeConfig(access: KubeAccess): Promise<KubeConfig> {
  if (access instanceof LightKubeAccess) return clientNodeKubeConfig(access.source);
  if ('makeApiClient' in access) return access as KubeConfig;
  throw new Error('not a KubeConfig, and not loaded by loadKubeAccess');
}

interface Cluster {
  readonly server: string;
  readonly ca?: Buffer;
  readonly insecure: boolean;
  readonly tlsServerName?: string;
}

interface User {
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly token?: string;
  /** In-cluster only (client-node reads no tokenFile from a kubeconfig file's user). */
  readonly tokenFile?: string;
  readonly username?: string;
  readonly password?: string;
}

export class LightKubeAccess implements KubeAccess {
  readonly source: KubeConfigSource;
  readonly #cluster: Cluster;
  readonly #user: User;
  #fileToken: { readonly token: string; readonly readAt: number } | undefined;

  constructor(source: KubeConfigSource, cluster: Cluster, user: User) {
    this.source = source;
    this.#cluster = cluster;
    this.#user = user;
  }

  getCurrentCluster(): { readonly server: string } {
    return { server: this.#cluster.server };
  }

  async applyToHTTPSOptions(options: RequestOptions): Promise<void> {
    const c = this.#cluster;
    const u = this.#user;
    if (c.ca) options.ca = c.ca;
    if (c.insecure) options.rejectUnauthorized = false;
    if (c.tlsServerName) options.servername = c.tlsServerName;
    if (u.cert) options.cert = u.cert;
    if (u.key) options.key = u.key;
    const token = u.tokenFile ? this.#readTokenFile(u.tokenFile) : u.token;
    if (token) options.headers = { ...(options.headers as Record<string, string>), Authorization: `Bearer ${token}` };
    else if (u.username) options.auth = `${u.username}:${u.password ?? ''}`;
  }

  #readTokenFile(path: string): string {
    const now = Date.now();
    if (!this.#fileToken || now - this.#fileToken.readAt >= TOKEN_FILE_TTL_MS) {
      this.#fileToken = { token: readFileSync(path, 'utf8').trim(), readAt: now };
    }
    return this.#fileToken.token;
  }
}

/** The light access for `source`, or undefined when it needs client-node (exec, auth-provider, proxy, …). */
export function lightKubeAccess(
  source: KubeConfigSource,
  env: NodeJS.ProcessEnv = process.env,
): LightKubeAccess | undefined {
  return source.kind === 'in-cluster' ? inCluster(env) : fromFile(source);
}

function inCluster(env: NodeJS.ProcessEnv): LightKubeAccess {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error('not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set');
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const caFile = join(SERVICE_ACCOUNT_DIR, 'ca.crt');
  return new LightKubeAccess(
    { kind: 'in-cluster' },
    { server: `https://${hostPart}:${port}`, insecure: false, ...(exists(caFile) ? { ca: readFileSync(caFile) } : {}) },
    { tokenFile: join(SERVICE_ACCOUNT_DIR, 'token') },
  );
}

type Entry = Record<string, unknown>;

function fromFile(source: { readonly kind: 'file'; readonly path: string }): LightKubeAccess | undefined {
  const doc = (parse(readFileSync(source.path, 'utf8')) ?? {}) as Entry;
  const dir = dirname(source.path);
  const named = (list: unknown, name: unknown, field: string): Entry | undefined => {
    const item = (Array.isArray(list) ? (list as Entry[]) : []).find((e) => e?.name === name);
    return item?.[field] as Entry | undefined;
  };
  const context = named(doc.contexts, doc['current-context'], 'context');
  const cluster = context && named(doc.clusters, context.cluster, 'cluster');
  if (!cluster || typeof cluster.server !== 'string') return undefined; // client-node reports what is missing
  const user = named(doc.users, context.user, 'user') ?? {};
  const simpleUser = [
    'client-certificate',
    'client-certificate-data',
    'client-key',
    'client-key-data',
    'token',
    'username',
    'password',
  ];
  const simpleCluster = [
    'server',
    'certificate-authority',
    'certificate-authority-data',
    'insecure-skip-tls-verify',
    'tls-server-name',
  ];
  if (Object.keys(user).some((k) => !simpleUser.includes(k))) return undefined;
  if (Object.keys(cluster).some((k) => !simpleCluster.includes(k))) return undefined;
  const material = (data: unknown, file: unknown): Buffer | undefined => {
    if (typeof data === 'string' && data) return Buffer.from(data, 'base64');
    if (typeof file === 'string' && file) return readFileSync(isAbsolute(file) ? file : join(dir, file));
    return undefined;
  };
  const ca = material(cluster['certificate-authority-data'], cluster['certificate-authority']);
  const cert = material(user['client-certificate-data'], user['client-certificate']);
  const key = material(user['client-key-data'], user['client-key']);
  return new LightKubeAccess(
    source,
    {
      server: cluster.server,
      insecure: cluster['insecure-skip-tls-verify'] === true,
      ...(ca ? { ca } : {}),
      ...(typeof cluster['tls-server-name'] === 'string' ? { tlsServerName: cluster['tls-server-name'] } : {}),
    },
    {
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      ...(typeof user.token === 'string' && user.token ? { token: user.token } : {}),
      ...(typeof user.username === 'string' && user.username ? { username: user.username } : {}),
      ...(typeof user.password === 'string' ? { password: user.password } : {}),
    },
  );
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
