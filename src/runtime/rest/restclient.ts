// Requests to the API server: the rate limiter, metrics, typed errors and Retry-After retries around the transport.
import { type Logger, pino } from 'pino';
import type { Registry } from 'prom-client';
import { type Clock, realClock } from '../clock.ts';
import { apiErrorFrom, TransportError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { type HttpRequest, type HttpResponse, HttpTransport } from './http.ts';
import type { KubeAccess } from './kubeconfig.ts';
import { decodeStatus, readProtobufWatchEvents } from './metav1.ts';
import { type RestMetrics, restMetrics } from './metrics.ts';
import { isProtobuf, PROTOBUF_ACCEPT, type ProtobufObjectDecoder } from './protobuf.ts';
import { TokenBucket } from './ratelimit.ts';
import { readWatchEvents, type WatchEvent } from './watchstream.ts';

export interface RestClientOptions {
  readonly kubeConfig: KubeAccess;
  /** Requests per second (token bucket). Default 0: no client-side limit; 0 or negative disables it. */
  readonly qps?: number;
  /** Requests at once above qps, when qps is positive. Default 30. */
  readonly burst?: number;
  /** Retries of a 429 (or a 5xx carrying Retry-After). Default 5. */
  readonly maxRetries?: number;
  readonly userAgent?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly metrics?: Registry;
}

export interface RestRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  /** Sent as JSON unless already a string. */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

/** Waits longer than this are not honoured as asked: the caller gets the error instead. */
const MAX_RETRY_AFTER_SECONDS = 60;

export class RestClient {
  readonly transport: HttpTransport;
  readonly limiter: TokenBucket;
  readonly userAgent: string;
  readonly #maxRetries: number;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #metrics: RestMetrics;

  constructor(options: RestClientOptions) {
    this.userAgent = options.userAgent ?? 'sparkop';
    this.transport = new HttpTransport(options.kubeConfig, this.userAgent);
    this.#clock = options.clock ?? realClock;
    this.limiter = new TokenBucket(options.qps ?? 0, options.burst ?? 30, this.#clock);
    this.#maxRetries = options.maxRetries ?? 5;
    this.#log = options.logger ?? pino({ level: 'silent' });
    this.#metrics = restMetrics(options.metrics);
  }

  get host(): string {
    return this.transport.host;
  }

  /** Sends the request and parses the JSON answer; an error answer becomes a typed ApiError. */
  async request<T>(req: RestRequest): Promise<T> {
    const res = await this.#exchange(req, undefined);
    return parseJsonBody(res.body) as T;
  }

  /**
   * A GET that offers protobuf: the answer is decoded with `decodeProtobuf` when the server sent protobuf, and
   * parsed as JSON (then given to `fromJson`) when it did not (kinds it has no protobuf for, e.g. custom resources).
   */
  async requestNegotiated<T>(
    req: RestRequest,
    decodeProtobuf: (body: Buffer) => T,
    fromJson: (parsed: unknown) => T,
  ): Promise<T> {
    const res = await this.#exchange(req, PROTOBUF_ACCEPT);
    if (isProtobuf(res.headers['content-type'])) return decodeProtobuf(res.body);
    return fromJson(parseJsonBody(res.body));
  }

  // One request with the rate limiter, metrics and Retry-After retries; an error answer is thrown as an ApiError.
  async #exchange(req: RestRequest, accept: string | undefined): Promise<HttpResponse> {
    const http: HttpRequest = {
      method: req.method,
      path: req.path,
      body: req.body === undefined || typeof req.body === 'string' ? req.body : JSON.stringify(req.body),
      contentType: req.contentType,
      accept,
      signal: req.signal,
    };
    for (let attempt = 0; ; attempt++) {
      await this.limiter.wait(req.signal);
      const started = performance.now();
      let res: HttpResponse;
      try {
        res = await this.transport.request(http);
      } catch (err) {
        this.#metrics.observe(req.method, this.host, '<error>', (performance.now() - started) / 1000);
        throw err;
      }
      this.#metrics.observe(req.method, this.host, String(res.status), (performance.now() - started) / 1000);
      if (res.status < 400) return res;
      const retryAfter = parseRetryAfter(res.headers['retry-after']);
      const error = apiErrorFrom(
        res.status,
        errorBody(res.headers['content-type'], res.body),
        { method: req.method, path: req.path },
        retryAfter,
      );
      const retryable = res.status === 429 || (res.status >= 500 && retryAfter !== undefined);
      const wait = retryAfter ?? 1;
      if (!retryable || attempt >= this.#maxRetries || wait > MAX_RETRY_AFTER_SECONDS) throw error;
      this.#log.debug({ method: req.method, path: req.path, status: res.status, wait, attempt }, 'retrying after');
      await this.#clock.sleep(wait * 1000, req.signal);
    }
  }

  /**
   * Opens a watch (`path` carries watch=true and the resourceVersion) and yields its events until the server ends
   * it or `signal` aborts. An error answer to the request itself (e.g. 410) is thrown as a typed ApiError.
   */
  /** `onOpen` runs once the server has accepted the watch (before any event: a quiet watch may send none for minutes). */
  async *watch(
    path: string,
    options: {
      signal: AbortSignal;
      idleTimeoutMs: number;
      onOpen?: () => void;
      /** Offer protobuf, and decode its events' objects with this (JSON answers are read as JSON). */
      decodeProtobuf?: ProtobufObjectDecoder;
    },
  ): AsyncGenerator<WatchEvent> {
    await this.limiter.wait(options.signal);
    const started = performance.now();
    const info = { method: 'GET', path };
    let res: Awaited<ReturnType<HttpTransport['send']>>;
    try {
      res = await this.transport.send({
        method: 'GET',
        path,
        signal: options.signal,
        idleTimeoutMs: options.idleTimeoutMs,
        ...(options.decodeProtobuf ? { accept: PROTOBUF_ACCEPT } : {}),
      });
    } catch (err) {
      this.#metrics.observe('WATCH', this.host, '<error>', (performance.now() - started) / 1000);
      throw err;
    }
    const status = res.statusCode ?? 0;
    this.#metrics.observe('WATCH', this.host, String(status), (performance.now() - started) / 1000);
    if (status >= 400) {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      throw apiErrorFrom(status, errorBody(res.headers['content-type'], Buffer.concat(chunks)), info);
    }
    options.onOpen?.();
    try {
      if (options.decodeProtobuf && isProtobuf(res.headers['content-type'])) {
        yield* readProtobufWatchEvents(res, options.decodeProtobuf);
      } else {
        yield* readWatchEvents(res);
      }
    } catch (err) {
      if (options.signal.aborted) return;
      throw err instanceof TransportError || err instanceof SyntaxError ? err : new TransportError(info, err);
    } finally {
      res.destroy();
    }
  }
}

/** A JSON answer's body; an empty body (some DELETEs) is an empty object. */
function parseJsonBody(body: Buffer): unknown {
  return body.length ? JSON.parse(body.toString('utf8')) : {};
}

/** An error answer's Status: decoded from protobuf when the server sent that, else the text (JSON or not). */
function errorBody(contentType: string | undefined, body: Buffer): unknown {
  if (isProtobuf(contentType)) {
    try {
      return decodeStatus(body);
    } catch {
      return `undecodable protobuf error answer (${body.length} bytes)`;
    }
  }
  return body.toString('utf8');
}

/** Seconds from a Retry-After header (delta-seconds form; the API server never sends a date). */
export function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const seconds = Number(value.trim());
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

export type { KubeObject, WatchEvent };

/** GET /version: the API server's build, e.g. { gitVersion: 'v1.36.3' } (a cheap "can we reach it" check). */
export async function serverVersion(kubeConfig: KubeAccess): Promise<{ readonly gitVersion?: string }> {
  const rest = new RestClient({ kubeConfig, maxRetries: 0, userAgent: 'sparkop' });
  try {
    return await rest.request<{ gitVersion?: string }>({ method: 'GET', path: '/version' });
  } finally {
    rest.transport.close();
  }
}
