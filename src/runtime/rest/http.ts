// The HTTP layer: node's http(s) with a keep-alive agent of our own. Authentication and TLS material come from
// the KubeAccess (kubeconfig.ts, or client-node's KubeConfig: certificates, tokens, exec plugins), asked afresh per request so
// rotating credentials are picked up; connections are reused across requests with the same TLS identity.
import { createHash } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { createSecureContext } from 'node:tls';
import { TransportError } from '../errors.ts';
import type { KubeAccess } from './kubeconfig.ts';

export interface HttpRequest {
  readonly method: string;
  /** Path and query, e.g. `/api/v1/namespaces/x/pods?limit=500`. */
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
  /** The Accept header; default application/json. */
  readonly accept?: string;
  readonly signal?: AbortSignal;
  /** Aborts when no bytes arrive for this long. Default 60 s. */
  readonly idleTimeoutMs?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body's bytes (JSON or, when asked for, protobuf). */
  readonly body: Buffer;
}

/** What the agent takes from the request options: the TLS material, built into its SecureContext. */
const TLS_MATERIAL = ['ca', 'cert', 'key', 'pfx', 'passphrase'] as const;
/** What tells one TLS identity (one agent) from another. */
const TLS_IDENTITY = [...TLS_MATERIAL, 'servername', 'rejectUnauthorized'] as const;

export class HttpTransport {
  readonly server: URL;
  /** host:port of the API server, the metrics' `host` label. */
  readonly host: string;
  readonly #kubeConfig: KubeAccess;
  readonly #userAgent: string;
  readonly #agents = new Map<string, HttpAgent>();
  /** The TLS material of the last request and its agent: the same instances again need no digest. */
  #lastIdentity: { readonly parts: readonly unknown[]; readonly agent: HttpAgent } | undefined;

  constructor(kubeConfig: KubeAccess, userAgent: string) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
    this.host = this.server.host;
    this.#kubeConfig = kubeConfig;
    this.#userAgent = userAgent;
  }

  /** Sends the request and resolves with the response once its headers arrive (the body is left to read). */
  async send(req: HttpRequest): Promise<IncomingMessage> {
    const info = { method: req.method, path: req.path };
    let options: RequestOptions;
    try {
      options = await this.#requestOptions(req);
    } catch (err) {
      throw new TransportError(info, err);
    }
    const https = this.server.protocol === 'https:';
    return new Promise<IncomingMessage>((resolve, reject) => {
      const request = (https ? httpsRequest : httpRequest)(options, resolve);
      request.setTimeout(req.idleTimeoutMs ?? 60_000, () =>
        request.destroy(new Error(`no data for ${req.idleTimeoutMs ?? 60_000} ms`)),
      );
      request.on('error', (err) => {
        if (req.signal?.aborted) reject(req.signal.reason);
        else reject(new TransportError(info, err));
      });
      if (req.body !== undefined) request.write(req.body);
      request.end();
    });
  }

  /** Sends the request and reads the whole body. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const res = await this.send(req);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of res) chunks.push(chunk as Buffer);
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason;
      throw new TransportError({ method: req.method, path: req.path }, err);
    }
    return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
  }

  /** Closes idle pooled connections (open watches end when their signals abort). */
  close(): void {
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
    this.#lastIdentity = undefined;
  }

  async #requestOptions(req: HttpRequest): Promise<RequestOptions> {
    const options: RequestOptions = {};
    await this.#kubeConfig.applyToHTTPSOptions(options);
    const base = this.server.pathname.replace(/\/$/, '');
    const headers: Record<string, string> = {
      ...(options.headers as Record<string, string> | undefined),
      accept: req.accept ?? 'application/json',
      'user-agent': this.#userAgent,
    };
    if (req.body !== undefined) {
      headers['content-type'] = req.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(req.body));
    }
    const agent = this.#agentFor(options);
    // The agent holds the TLS material (in its SecureContext): left in the request, node's agent would build its
    // pool key from the PEM texts on every request, and make a SecureContext for every new connection.
    for (const field of TLS_MATERIAL) delete options[field];
    return {
      ...options,
      protocol: this.server.protocol,
      hostname: this.server.hostname,
      port: this.server.port || (this.server.protocol === 'https:' ? 443 : 80),
      method: req.method,
      path: `${base}${req.path}`,
      headers,
      agent,
      signal: req.signal,
    };
  }

  // One pooled agent per TLS identity (the client-node agent does not keep connections alive).
  #agentFor(options: RequestOptions): HttpAgent {
    const parts = TLS_IDENTITY.map((field) => options[field]);
    const last = this.#lastIdentity;
    if (last && parts.every((part, i) => part === last.parts[i])) return last.agent;
    const agent = this.#agentByDigest(options);
    this.#lastIdentity = { parts, agent };
    return agent;
  }

  #agentByDigest(options: RequestOptions): HttpAgent {
    const https = this.server.protocol === 'https:';
    const digest = createHash('sha256');
    for (const field of TLS_IDENTITY) {
      const part = options[field];
      digest.update(part === undefined ? '-' : String(part));
      digest.update('\0');
    }
    const key = digest.digest('hex');
    let agent = this.#agents.get(key);
    if (!agent) {
      agent = https
        ? new HttpsAgent({
            keepAlive: true,
            // One SecureContext for every connection of this identity (parsing the key and certificates once).
            secureContext: createSecureContext({
              ca: options.ca,
              cert: options.cert,
              key: options.key,
              pfx: options.pfx,
              passphrase: options.passphrase,
            }),
            servername: options.servername,
            rejectUnauthorized: options.rejectUnauthorized,
          })
        : new HttpAgent({ keepAlive: true });
      this.#agents.set(key, agent);
    }
    return agent;
  }
}
