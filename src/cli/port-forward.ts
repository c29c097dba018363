// Port-forward to a pod through the API server over WebSocket, as `kubectl port-forward` does: one WebSocket per
// accepted local TCP connection, to the pod's `portforward` subresource with the kubelet's `v4.channel.k8s.io`
// protocol (API servers pass it through to the kubelet; Kubernetes 1.31+, PortForwardWebsockets).
// Wire format for one port: channel 0 carries data, channel 1 errors; every binary message starts with its channel
// byte; the server's first message on each channel is the port, 2 bytes little-endian. The client sends data as
// [0][payload]. The protocol has no half-close: a local end-of-input keeps the stream open until the server ends it.
import { once } from 'node:events';
import type { RequestOptions } from 'node:https';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { type ClientOptions, type RawData, WebSocket } from 'ws';
import { apiErrorFrom, type KubeAccess } from '../runtime/index.ts';

export const PORT_FORWARD_PROTOCOL = 'v4.channel.k8s.io';
const DATA_CHANNEL = 0;
const ERROR_CHANNEL = 1;
/** Local reads pause while more than this many bytes wait to go out on the WebSocket. */
const HIGH_WATER_BYTES = 1 << 20;
const HANDSHAKE_TIMEOUT_MS = 30_000;

/** A port-forward failure to report: refused by the API server, reported by the kubelet, or a broken stream. */
export class PortForwardError extends Error {
  override readonly name = 'PortForwardError';
}

/** Where to open a stream: the WebSocket URL and the options of its HTTP request (TLS material, headers). */
export interface PortForwardEndpoint {
  readonly url: string;
  readonly options: ClientOptions;
}

/** `ws(s)://<server>/api/v1/namespaces/<ns>/pods/<pod>/portforward?ports=<port>` (the server's path prefix kept). */
export function portForwardUrl(server: string, namespace: string, pod: string, port: number): string {
  const url = new URL(server);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const base = url.pathname.replace(/\/$/, '');
  url.pathname = `${base}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/portforward`;
  url.search = new URLSearchParams({ ports: String(port) }).toString();
  return url.toString();
}

/**
 * The endpoint for a pod's port, authenticated as the kubeconfig says: its CA, client certificate and key, bearer
 * token or basic auth (client-node's KubeConfig also runs exec plugins and sets a proxy agent). Ask for it per
 * stream: tokens rotate.
 */
export async function portForwardEndpoint(
  access: KubeAccess,
  namespace: string,
  pod: string,
  port: number,
  userAgent = 'sparkctl',
): Promise<PortForwardEndpoint> {
  const cluster = access.getCurrentCluster();
  if (!cluster) throw new PortForwardError('the kubeconfig has no current cluster');
  const options: RequestOptions = {};
  await access.applyToHTTPSOptions(options);
  return {
    url: portForwardUrl(cluster.server, namespace, pod, port),
    options: {
      ...options,
      headers: { ...(options.headers as Record<string, string> | undefined), 'User-Agent': userAgent },
      perMessageDeflate: false,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    },
  };
}

/** A client data message: the data channel's byte, then the payload. */
export function dataMessage(payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.of(DATA_CHANNEL), payload]);
}

/** Reads the server's messages of one port: strips the channel byte and each channel's port header (checked). */
export class PortForwardReader {
  readonly port: number;
  /** The header bytes seen so far, per channel. */
  readonly #headers: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];

  constructor(port: number) {
    this.port = port;
  }

  /** The data channel's header has arrived: the kubelet accepted the stream. */
  get ready(): boolean {
    return this.#headers[DATA_CHANNEL].length === 2;
  }

  /** One message's channel and payload; undefined when it held nothing past a header. */
  read(message: Buffer): { readonly channel: 'data' | 'error'; readonly payload: Buffer } | undefined {
    if (message.length === 0) return undefined;
    const channel = message[0];
    if (channel !== DATA_CHANNEL && channel !== ERROR_CHANNEL) {
      throw new PortForwardError(`the server sent a message on channel ${channel}; one port uses channels 0 and 1`);
    }
    let payload = message.subarray(1);
    const seen = this.#headers[channel];
    if (seen.length < 2) {
      const header = Buffer.concat([seen, payload.subarray(0, 2 - seen.length)]);
      payload = payload.subarray(header.length - seen.length);
      this.#headers[channel] = header;
      if (header.length === 2 && header.readUInt16LE(0) !== this.port) {
        throw new PortForwardError(`the server forwards port ${header.readUInt16LE(0)}, not ${this.port}`);
      }
    }
    if (payload.length === 0) return undefined;
    return { channel: channel === DATA_CHANNEL ? 'data' : 'error', payload };
  }
}

function asBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** What a stream's owner hears; attached before the handshake, since the server's first messages may come with it. */
export interface StreamHandlers {
  /** A data-channel payload (the port header stripped). */
  readonly data: (payload: Buffer) => void;
  /** An error the kubelet reported on the error channel, a protocol violation, or a broken stream. */
  readonly error: (err: PortForwardError) => void;
  /** The data channel's port header arrived: the kubelet accepted the stream. */
  readonly ready?: () => void;
  /** The open stream ended. */
  readonly close: () => void;
}

/**
 * Opens one stream. `opened` resolves once the WebSocket is open and rejects when it cannot be, with the server's
 * answer when it refuses (e.g. 403, or the pod is not running); after that, everything goes to `handlers`.
 */
export function openStream(
  endpoint: PortForwardEndpoint,
  port: number,
  handlers: StreamHandlers,
): { readonly ws: WebSocket; readonly opened: Promise<void> } {
  const ws = new WebSocket(endpoint.url, [PORT_FORWARD_PROTOCOL], endpoint.options);
  const reader = new PortForwardReader(port);
  let open = false;
  let ready = false;
  ws.on('message', (data) => {
    let part: ReturnType<PortForwardReader['read']>;
    try {
      part = reader.read(asBuffer(data));
    } catch (err) {
      handlers.error(err as PortForwardError);
      ws.terminate();
      return;
    }
    if (reader.ready && !ready) {
      ready = true;
      handlers.ready?.();
    }
    if (part?.channel === 'error') handlers.error(new PortForwardError(part.payload.toString('utf8').trim()));
    else if (part) handlers.data(part.payload);
  });
  ws.on('close', () => {
    if (open) handlers.close();
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', () => undefined);
      res.on('close', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        reject(new PortForwardError(apiErrorFrom(res.statusCode ?? 0, body).message));
        ws.terminate();
      });
    });
    ws.once('open', () => {
      open = true;
      resolve();
    });
    ws.on('error', (err) => {
      if (open) handlers.error(new PortForwardError(`the port-forward stream failed: ${err.message}`));
      else reject(new PortForwardError(`cannot open the port-forward stream: ${err.message}`));
    });
  });
  return { ws, opened };
}

/**
 * Opens one stream and waits until the server has sent the data channel's port header, then closes it: the API
 * server and the kubelet accept port-forwards to the pod. (The kubelet dials the pod's port only after that, so a
 * port nothing listens on shows up later, on the streams of the connections.)
 */
export async function checkPortForward(endpoint: PortForwardEndpoint, port: number, timeoutMs = 30_000): Promise<void> {
  let settle: (err?: Error) => void = () => undefined;
  const answered = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  const { ws, opened } = openStream(endpoint, port, {
    data: () => undefined,
    ready: () => settle(),
    error: (err) => settle(err),
    close: () => settle(new PortForwardError('the port-forward stream ended before the pod answered')),
  });
  const timer = setTimeout(
    () => settle(new PortForwardError(`the port-forward stream sent nothing for ${timeoutMs / 1000} s`)),
    timeoutMs,
  );
  try {
    await Promise.all([opened, answered]);
  } finally {
    clearTimeout(timer);
    ws.terminate();
  }
}

export interface ForwardOptions {
  /** Where to open each connection's stream (asked per connection: credentials may rotate). */
  readonly endpoint: () => Promise<PortForwardEndpoint>;
  /** The pod's port. */
  readonly port: number;
  /** A connection's failure: the stream was refused or broke, or the kubelet reported an error. */
  readonly onError: (err: Error) => void;
}

/** Connects a local socket to the pod's port through a stream of its own. Returns a function that ends both. */
export function forwardSocket(socket: Socket, options: ForwardOptions): () => void {
  socket.pause();
  let ws: WebSocket | undefined;
  let ended = false;
  let waitingForDrain = false;
  const end = () => {
    if (ended) return;
    ended = true;
    socket.destroy();
    ws?.terminate();
  };
  const report = (err: Error) => {
    if (!ended) options.onError(err);
  };
  // A local reset or close ends the stream; the error itself is the local client's business.
  socket.on('error', end);
  socket.on('close', () => {
    if (ws?.readyState === WebSocket.OPEN) ws.close(1000);
    else end();
  });
  options
    .endpoint()
    .then((endpoint) => {
      if (ended) return;
      const stream = openStream(endpoint, options.port, {
        data: (payload) => {
          if (socket.write(payload) || waitingForDrain) return;
          waitingForDrain = true;
          stream.ws.pause();
          socket.once('drain', () => {
            waitingForDrain = false;
            stream.ws.resume();
          });
        },
        // The kubelet reports an error (e.g. nothing listens on the port), then ends the stream.
        error: report,
        close: () => socket.end(),
      });
      ws = stream.ws;
      return stream.opened.then(() => {
        socket.on('data', (chunk: Buffer) => {
          stream.ws.send(dataMessage(chunk), () => {
            if (socket.isPaused() && stream.ws.bufferedAmount < HIGH_WATER_BYTES / 2) socket.resume();
          });
          if (stream.ws.bufferedAmount > HIGH_WATER_BYTES) socket.pause();
        });
        socket.resume();
      });
    })
    .catch((err: Error) => {
      report(err);
      end();
    });
  return end;
}

export interface PortForwardListener {
  /** The local port listened on. */
  readonly port: number;
  /** Stops listening and ends every connection. */
  close(): Promise<void>;
}

/** Listens on host:localPort (0: any free port) and forwards each accepted connection to the pod's port. */
export async function listenPortForward(
  options: ForwardOptions & { readonly localPort: number; readonly host?: string },
): Promise<PortForwardListener> {
  const connections = new Set<() => void>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    const end = forwardSocket(socket, options);
    connections.add(end);
    socket.once('close', () => connections.delete(end));
  });
  server.listen(options.localPort, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const end of connections) end();
      connections.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
