// Installs (or updates) the Spark CRDs in a cluster and waits until the API server serves them.
// The CRDs go over the wire as the JSON we generate: client-node's typed CRD model renames schema keywords
// (`x_kubernetes_int_or_string`, `_default`) and would silently drop ours, so requests are plain JSON.
import { request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeAccess } from '../runtime/rest/kubeconfig.ts';
import { allCrds, type CrdManifest } from './crd/crds.ts';

export interface InstallOptions {
  /** How long to wait for each CRD to become Established. Default 30 s. */
  readonly timeoutMs?: number;
  /** The CRDs to install. Default: SparkApplication and ScheduledSparkApplication. */
  readonly crds?: readonly CrdManifest[];
}

const CRDS_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

interface CrdState {
  metadata?: { resourceVersion?: string };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

async function call(kc: KubeAccess, method: string, path: string, body?: unknown): Promise<CrdState> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('kubeconfig has no current cluster');
  const options: import('node:https').RequestOptions = {
    method,
    headers: { accept: 'application/json', 'content-type': 'application/json' },
  };
  await kc.applyToHTTPSOptions(options);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server), options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(JSON.parse(text) as CrdState);
        else {
          const message = (JSON.parse(text || '{}') as { message?: string }).message ?? text;
          reject(new HttpError(status, `${method} ${path}: HTTP ${status}: ${message}`));
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Creates each CRD, or replaces it if it exists, then waits until it is Established. Safe to run from several
 * processes at once: a lost create or update race is retried on the fresh object.
 */
export async function installCrds(kubeConfig: KubeAccess, options: InstallOptions = {}): Promise<void> {
  const crds = options.crds ?? allCrds();
  for (const crd of crds) await apply(kubeConfig, crd);
  for (const crd of crds) await waitEstablished(kubeConfig, crd.metadata.name, options.timeoutMs ?? 30_000);
  // Established is not yet served: discovery and the resource's endpoint follow a moment later (seconds under load),
  // and a client that maps kinds through discovery right after would fail with "no kind match".
  for (const crd of crds) await waitServed(kubeConfig, crd, options.timeoutMs ?? 30_000);
}

async function waitServed(kc: KubeAccess, crd: CrdManifest, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const { group, names, versions } = crd.spec;
  for (const version of versions.filter((v) => v.served).map((v) => v.name)) {
    for (;;) {
      const served = await call(kc, 'GET', `/apis/${group}/${version}`).then(
        (list) => ((list as { resources?: { name: string }[] }).resources ?? []).some((r) => r.name === names.plural),
        (err: unknown) => {
          if (err instanceof HttpError && err.status === 404) return false;
          throw err;
        },
      );
      if (served) break;
      if (Date.now() > deadline)
        throw new Error(`${names.plural}.${group}/${version} not served after ${timeoutMs} ms`);
      await sleep(100);
    }
  }
}

async function apply(kc: KubeAccess, crd: CrdManifest): Promise<void> {
  const name = crd.metadata.name;
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = await call(kc, 'GET', `${CRDS_PATH}/${name}`).catch((err: unknown) => {
        if (err instanceof HttpError && err.status === 404) return undefined;
        throw err;
      });
      if (!existing) await call(kc, 'POST', CRDS_PATH, crd);
      else {
        const resourceVersion = existing.metadata?.resourceVersion;
        await call(kc, 'PUT', `${CRDS_PATH}/${name}`, { ...crd, metadata: { ...crd.metadata, resourceVersion } });
      }
      return;
    } catch (err) {
      // 409: another process created or updated it in between; read again and retry.
      if (!(err instanceof HttpError && err.status === 409) || attempt >= 5) {
        throw new Error(`installing CRD ${name} failed`, { cause: err });
      }
    }
  }
}

async function waitEstablished(kc: KubeAccess, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const conditions = (await call(kc, 'GET', `${CRDS_PATH}/${name}`)).status?.conditions ?? [];
    if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) return;
    const rejected = conditions.find((c) => c.type === 'NamesAccepted' && c.status === 'False');
    if (rejected) throw new Error(`CRD ${name}: names not accepted: ${rejected.message ?? rejected.reason}`);
    if (Date.now() > deadline) throw new Error(`CRD ${name} not Established after ${timeoutMs} ms`);
    await sleep(100);
  }
}
