// Installs (or updates) the Spark CRDs in a cluster and waits until the API server serves them, through the
// runtime's client: the CRDs go over the wire as the JSON we generate (client-node's typed CRD model would rename
// schema keywords such as `x-kubernetes-int-or-string` and drop them).
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Client,
  isAlreadyExists,
  isConflict,
  isNoKindMatch,
  isNotFound,
  type KubeAccess,
  type KubeObject,
  kind,
  newClient,
} from '../runtime/index.ts';
import { allCrds, type CrdManifest } from './crd/crds.ts';

export interface InstallOptions {
  /** How long to wait for each CRD to become Established. Default 30 s. */
  readonly timeoutMs?: number;
  /** The CRDs to install. Default: SparkApplication and ScheduledSparkApplication. */
  readonly crds?: readonly CrdManifest[];
}

interface CrdObject extends KubeObject {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

const CustomResourceDefinitions = kind<CrdObject>('apiextensions.k8s.io/v1', 'CustomResourceDefinition');

/**
 * Creates each CRD, or replaces it if it exists, then waits until it is Established. Safe to run from several
 * processes at once: a lost create or update race is retried on the fresh object.
 */
export async function installCrds(kubeConfig: KubeAccess, options: InstallOptions = {}): Promise<void> {
  const client = newClient({ kubeConfig, userAgent: 'sparkop-crds' });
  const crds = options.crds ?? allCrds();
  const timeoutMs = options.timeoutMs ?? 30_000;
  for (const crd of crds) await apply(client, crd);
  for (const crd of crds) await waitEstablished(client, crd.metadata.name, timeoutMs);
  // Established is not yet served: discovery and the resource's endpoint follow a moment later (seconds under load),
  // and a client that maps kinds through discovery right after would fail with "no kind match".
  for (const crd of crds) await waitServed(client, crd, timeoutMs);
}

async function waitServed(client: Client, crd: CrdManifest, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const { group, names, versions } = crd.spec;
  for (const version of versions.filter((v) => v.served).map((v) => v.name)) {
    for (;;) {
      // The mapper reads discovery again on a miss (at most once a second).
      const served = await client.mapper.mapping({ group, version, kind: names.kind }).then(
        () => true,
        (err: unknown) => {
          if (isNoKindMatch(err)) return false;
          throw err;
        },
      );
      if (served) break;
      if (Date.now() > deadline) {
        throw new Error(`${names.plural}.${group}/${version} not served after ${timeoutMs} ms`);
      }
      await sleep(100);
    }
  }
}

async function apply(client: Client, crd: CrdManifest): Promise<void> {
  const name = crd.metadata.name;
  const desired = crd as unknown as CrdObject;
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = await client.get(CustomResourceDefinitions, { name }).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      if (!existing) await client.create(desired);
      else {
        const resourceVersion = existing.metadata?.resourceVersion;
        await client.update({ ...desired, metadata: { ...desired.metadata, resourceVersion } });
      }
      return;
    } catch (err) {
      // Conflict or AlreadyExists (409): another process created or updated it in between; read again and retry.
      const raced = isConflict(err) || isAlreadyExists(err);
      if (!raced || attempt >= 5) throw new Error(`installing CRD ${name} failed`, { cause: err });
    }
  }
}

async function waitEstablished(client: Client, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const conditions = (await client.get(CustomResourceDefinitions, { name })).status?.conditions ?? [];
    if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) return;
    const rejected = conditions.find((c) => c.type === 'NamesAccepted' && c.status === 'False');
    if (rejected) throw new Error(`CRD ${name}: names not accepted: ${rejected.message ?? rejected.reason}`);
    if (Date.now() > deadline) throw new Error(`CRD ${name} not Established after ${timeoutMs} ms`);
    await sleep(100);
  }
}
