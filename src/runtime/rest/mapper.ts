// Kind → resource mapping from the API's discovery documents (/api/v1, /apis/<group>/<version>). One document per
// group/version, fetched when first needed, cached, and fetched again when a kind is missing from it (a CRD
// installed after the first look) — at most once per `minRefreshMs`, so a missing kind cannot hammer the server.
import type { V1APIResourceList } from '@kubernetes/client-node';
import { type Clock, realClock } from '../clock.ts';
import { isNotFound, NoKindMatchError } from '../errors.ts';
import { apiVersionOf, type GroupVersionKind } from '../object.ts';
import { groupVersionPath, type ResourceRef } from './paths.ts';
import type { RestClient } from './restclient.ts';

export interface RestMapping extends ResourceRef {
  readonly kind: string;
  /** Subresources served for this resource, e.g. ["status", "scale"]. */
  readonly subresources: readonly string[];
}

interface GroupVersionEntry {
  readonly fetchedAt: number;
  /** By kind; empty when the group/version is not served at all. */
  readonly kinds: ReadonlyMap<string, RestMapping>;
}

export class RestMapper {
  readonly #rest: RestClient;
  readonly #clock: Clock;
  readonly #minRefreshMs: number;
  readonly #groupVersions = new Map<string, GroupVersionEntry>();
  readonly #inFlight = new Map<string, Promise<GroupVersionEntry>>();

  constructor(rest: RestClient, options: { clock?: Clock; minRefreshMs?: number } = {}) {
    this.#rest = rest;
    this.#clock = options.clock ?? realClock;
    this.#minRefreshMs = options.minRefreshMs ?? 1000;
  }

  /** The resource serving `kind`, or a NoKindMatchError. */
  async mapping(kind: GroupVersionKind): Promise<RestMapping> {
    const gv = apiVersionOf(kind);
    let entry = this.#groupVersions.get(gv);
    const stale = !entry || this.#clock.now() - entry.fetchedAt >= this.#minRefreshMs;
    if (!entry?.kinds.has(kind.kind) && stale) entry = await this.#fetch(kind);
    const found = entry?.kinds.get(kind.kind);
    if (!found) throw new NoKindMatchError(kind);
    return found;
  }

  /** Forgets what discovery said (e.g. after a CRD was removed). */
  reset(): void {
    this.#groupVersions.clear();
  }

  #fetch(kind: GroupVersionKind): Promise<GroupVersionEntry> {
    const gv = apiVersionOf(kind);
    let pending = this.#inFlight.get(gv);
    if (!pending) {
      pending = this.#load(kind).finally(() => this.#inFlight.delete(gv));
      this.#inFlight.set(gv, pending);
    }
    return pending;
  }

  async #load(gv: GroupVersionKind): Promise<GroupVersionEntry> {
    let list: V1APIResourceList | undefined;
    try {
      list = await this.#rest.request<V1APIResourceList>({ method: 'GET', path: groupVersionPath(gv) });
    } catch (err) {
      if (!isNotFound(err)) throw new NoKindMatchError(gv, err);
    }
    const kinds = new Map<string, RestMapping>();
    const subresources = new Map<string, string[]>();
    for (const r of list?.resources ?? []) {
      const slash = r.name.indexOf('/');
      if (slash >= 0) {
        const parent = r.name.slice(0, slash);
        subresources.set(parent, [...(subresources.get(parent) ?? []), r.name.slice(slash + 1)]);
      }
    }
    for (const r of list?.resources ?? []) {
      if (r.name.includes('/') || kinds.has(r.kind)) continue;
      kinds.set(r.kind, {
        group: gv.group,
        version: gv.version,
        kind: r.kind,
        resource: r.name,
        namespaced: r.namespaced,
        subresources: (subresources.get(r.name) ?? []).sort(),
      });
    }
    const entry = { fetchedAt: this.#clock.now(), kinds };
    this.#groupVersions.set(apiVersionOf(gv), entry);
    return entry;
  }
}
