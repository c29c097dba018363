// A fault-injecting HTTPS proxy on loopback in front of a kube-apiserver, for reliability tests.
//
// It presents the API server's own serving certificate (signed by the cluster CA, valid for 127.0.0.1), so a
// kubeconfig pointing at the proxy with the cluster's CA verifies it; it forwards each request upstream with the
// admin client certificate. A seeded pseudo-random draw decides, per request, whether to answer it with a fault
// instead:
//   429 Too Many Requests with Retry-After (any request but a watch), not forwarded;
//   500 Internal Server Error, not forwarded — or, with `commitBeforeFault`, forwarded first (the write happened,
//       the client is told it failed: what a lost answer looks like);
//   409 Conflict (updates and patches only: the API server answers a create of an existing name with
//       AlreadyExists, which a proxy cannot fake faithfully), not forwarded;
// and, for watches, may cut the stream after a short while (a watch opened while faults are off is cut once they
// are on). `throttle(ms)` plays an overloaded API server's flow control: from the next request on, for that long,
// every request but a watch is answered 429 with Retry-After: 1 ('429-throttle'). Every request and fault is counted.
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';

export type FaultKind = '429' | '429-throttle' | '500' | '500-after-commit' | '409' | 'watch-cut';

export interface FaultProxyOptions {
  /** The real API server, e.g. https://127.0.0.1:6443. */
  readonly upstream: string;
  /** The cluster's state directory (pki/ca.crt, pki/apiserver.crt and .key). */
  readonly stateDir: string;
  /** The admin client identity for the upstream connection. */
  readonly client: { readonly cert: string; readonly key: string };
  /** Share of requests answered with a fault (0–1). */
  readonly faultRate: number;
  /** Share of watches cut after 0.5–3 s (0–1). Default 0. */
  readonly watchCutRate?: number;
  /** Of the 500s on writes, the share forwarded first. Default 0.5. */
  readonly commitBeforeFault?: number;
  /** Seed of the draws: the same seed, the same sequence of decisions. */
  readonly seed: number;
}

export interface FaultCounts {
  readonly requests: number;
  readonly byMethod: Readonly<Record<string, number>>;
  readonly faults: Readonly<Record<FaultKind, number>>;
}

/** mulberry32: a small, fast, seeded generator of numbers in [0, 1). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

export class FaultProxy {
  readonly #server: Server;
  readonly #agent: Agent;
  readonly #options: FaultProxyOptions;
  readonly #draw: () => number;
  #requests = 0;
  readonly #byMethod = new Map<string, number>();
  readonly #faults: Record<FaultKind, number> = {
    '429': 0,
    '429-throttle': 0,
    '500': 0,
    '500-after-commit': 0,
    '409': 0,
    'watch-cut': 0,
  };
  /** The throttle window: armed by throttle(), opened by the next request. */
  #throttle: { readonly ms: number; until?: number } | undefined;
  /** The requests answered '429-throttle': when (ms since the window opened), method and path. */
  readonly throttled: { readonly atMs: number; readonly method: string; readonly path: string }[] = [];
  /** Faults are injected only while enabled. */
  enabled = true;

  private constructor(options: FaultProxyOptions) {
    this.#options = options;
    this.#draw = random(options.seed);
    const pki = join(options.stateDir, 'pki');
    const ca = readFileSync(join(pki, 'ca.crt'), 'utf8');
    this.#agent = new Agent({ keepAlive: true, ca, cert: options.client.cert, key: options.client.key });
    this.#server = createServer(
      { cert: readFileSync(join(pki, 'apiserver.crt')), key: readFileSync(join(pki, 'apiserver.key')) },
      (req, res) => this.#handle(req, res),
    );
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const proxy = new FaultProxy(options);
    proxy.#server.listen(0, '127.0.0.1');
    await once(proxy.#server, 'listening');
    return proxy;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /**
   * From the next request (not a watch) on, for `ms`, every request but a watch is answered 429 with Retry-After: 1
   * (even while not enabled).
   */
  throttle(ms: number): void {
    this.#throttle = { ms };
  }

  counts(): FaultCounts {
    return {
      requests: this.#requests,
      byMethod: Object.fromEntries([...this.#byMethod].sort(([a], [b]) => a.localeCompare(b))),
      faults: { ...this.#faults },
    };
  }

  /** A kubeconfig for the proxy: the cluster's CA and the given client identity (PEM). */
  writeKubeconfig(path: string, client: { readonly cert: string; readonly key: string }): void {
    const ca = readFileSync(join(this.#options.stateDir, 'pki', 'ca.crt'), 'utf8');
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    writeFileSync(
      path,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'proxy', cluster: { server: this.url, 'certificate-authority-data': b64(ca) } }],
        users: [
          { name: 'proxy', user: { 'client-certificate-data': b64(client.cert), 'client-key-data': b64(client.key) } },
        ],
        contexts: [{ name: 'proxy', context: { cluster: 'proxy', user: 'proxy' } }],
        'current-context': 'proxy',
      }),
      { mode: 0o600 },
    );
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    this.#agent.destroy();
  }

  #choose(method: string, watch: boolean): { kind?: FaultKind; cutAfterMs: number } {
    // Two draws per request, always, so that the sequence of decisions depends only on the sequence of requests.
    const a = this.#draw();
    const b = this.#draw();
    return { kind: this.#kind(method, watch, a, b), cutAfterMs: 500 + Math.floor(b * 2500) };
  }

  #kind(method: string, watch: boolean, a: number, b: number): FaultKind | undefined {
    // A watch is armed even while faults are off (it may outlive that): it is cut once they are on.
    if (watch) return a < (this.#options.watchCutRate ?? 0) ? 'watch-cut' : undefined;
    if (this.#throttle) {
      this.#throttle.until ??= Date.now() + this.#throttle.ms;
      if (Date.now() < this.#throttle.until) return '429-throttle';
    }
    if (!this.enabled) return undefined;
    if (a >= this.#options.faultRate) return undefined;
    const update = method === 'PUT' || method === 'PATCH';
    const write = method !== 'GET';
    const kinds: FaultKind[] = update ? ['429', '500', '409'] : ['429', '500'];
    const kind = kinds[Math.floor(b * kinds.length)] ?? '429';
    if (kind === '500' && write && (b * kinds.length) % 1 < (this.#options.commitBeforeFault ?? 0.5)) {
      return '500-after-commit';
    }
    return kind;
  }

  #handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
    const method = req.method ?? 'GET';
    const watch = /[?&]watch=(true|1)(&|$)/.test(req.url ?? '');
    this.#requests++;
    const label = watch ? 'WATCH' : method;
    this.#byMethod.set(label, (this.#byMethod.get(label) ?? 0) + 1);
    const { kind: fault, cutAfterMs } = this.#choose(method, watch);
    if (fault && fault !== 'watch-cut') this.#faults[fault]++;
    if (fault === '429-throttle') {
      const openedAt = (this.#throttle?.until ?? 0) - (this.#throttle?.ms ?? 0);
      this.throttled.push({ atMs: Date.now() - openedAt, method, path: (req.url ?? '').split('?')[0] ?? '' });
    }
    const answer = (code: number, reason: string, message: string, headers: Record<string, string> = {}) => {
      req.resume();
      res.writeHead(code, { 'content-type': 'application/json', ...headers });
      res.end(status(code, reason, message));
    };
    if (fault === '429' || fault === '429-throttle' || fault === '500' || fault === '409') {
      const [code, reason, message] =
        fault === '429' || fault === '429-throttle'
          ? [429, 'TooManyRequests', 'injected by the fault proxy']
          : fault === '500'
            ? [500, 'InternalError', 'injected by the fault proxy']
            : [409, 'Conflict', 'the object has been modified; please apply your changes to the latest version'];
      answer(code, reason, message, code === 429 ? { 'retry-after': '1' } : {});
      return;
    }
    const upstream = new URL(req.url ?? '/', this.#options.upstream);
    const headers = { ...req.headers, host: upstream.host };
    const out = request(upstream, { method, headers, agent: this.#agent }, (up) => {
      if (fault === '500-after-commit') {
        up.resume();
        up.on('end', () => answer(500, 'InternalError', 'injected by the fault proxy after the write'));
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      if (fault === 'watch-cut') {
        let timer: NodeJS.Timeout;
        const cut = () => {
          if (!this.enabled) {
            timer = setTimeout(cut, cutAfterMs);
            return;
          }
          this.#faults['watch-cut']++;
          up.destroy();
          res.destroy();
        };
        timer = setTimeout(cut, cutAfterMs);
        res.on('close', () => clearTimeout(timer));
      }
    });
    out.on('error', () => {
      if (!res.headersSent) answer(502, 'InternalError', 'upstream unreachable');
      else res.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) out.destroy();
    });
    req.pipe(out);
  }
}
