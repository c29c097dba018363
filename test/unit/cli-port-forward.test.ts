// sparkctl's port-forward over WebSocket against a local WebSocket server playing the API server's (and kubelet's)
// side of `v4.channel.k8s.io`: the port headers, data on channel 0 both ways, errors on channel 1, refusals, and
// authentication by bearer token and by client certificate.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import type { RequestOptions } from 'node:https';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { KubeConfig } from '@kubernetes/client-node';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  checkPortForward,
  dataMessage,
  listenPortForward,
  PORT_FORWARD_PROTOCOL,
  PortForwardError,
  PortForwardReader,
  portForwardEndpoint,
  portForwardUrl,
} from '../../src/cli/port-forward.ts';
import type { KubeAccess } from '../../src/runtime/rest/kubeconfig.ts';

const PORT = 4040;
const PATH = '/api/v1/namespaces/ns1/pods/p1/portforward';
const portHeader = (channel: number, port = PORT) => Buffer.of(channel, port & 0xff, port >> 8);

interface Seen {
  readonly protocols: string[];
  readonly authorization: (string | undefined)[];
  /** Every message from the client: its first byte and whether it was binary. */
  readonly messages: { channel: number | undefined; binary: boolean }[];
}

/**
 * A fake API server: refuses (403, a Status) requests that `allow` rejects, accepts the rest as a WebSocket with
 * v4.channel.k8s.io, sends both port headers, then runs `stream`.
 */
async function fakeApiServer(
  server: Server,
  allow: (req: IncomingMessage) => boolean,
  stream: (ws: WebSocket) => void,
): Promise<{ readonly url: string; readonly seen: Seen; close(): Promise<void> }> {
  const seen: Seen = { protocols: [], authorization: [], messages: [] };
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has(PORT_FORWARD_PROTOCOL) ? PORT_FORWARD_PROTOCOL : false),
  });
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    seen.authorization.push(req.headers.authorization);
    const url = new URL(req.url ?? '', 'http://x');
    if (!allow(req) || url.pathname !== PATH || url.searchParams.get('ports') !== String(PORT)) {
      const body = JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message: 'pods "p1" is forbidden: User "nobody" cannot create resource "pods/portforward"',
        reason: 'Forbidden',
        code: 403,
      });
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Connection: close\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      seen.protocols.push(ws.protocol);
      ws.on('message', (data, isBinary) => {
        seen.messages.push({ channel: (data as Buffer)[0], binary: isBinary });
      });
      ws.send(portHeader(0));
      ws.send(portHeader(1));
      stream(ws);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const scheme = 'key' in server ? 'https' : 'http';
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    seen,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Echoes channel 0's payloads back on channel 0. */
const echo = (ws: WebSocket) =>
  ws.on('message', (data) => {
    const message = data as Buffer;
    if (message[0] === 0) ws.send(message);
  });

function tokenAccess(server: string, token: string): KubeAccess {
  return {
    getCurrentCluster: () => ({ server }),
    applyToHTTPSOptions: async (options: RequestOptions) => {
      options.headers = { ...(options.headers as Record<string, string>), Authorization: `Bearer ${token}` };
    },
  };
}

/** Writes `payload` to a new connection to the local port and reads until `expected` bytes came back. */
async function roundTrip(port: number, payload: Buffer): Promise<Buffer> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  let length = 0;
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= payload.length) resolve();
    });
    socket.on('close', () => reject(new Error(`closed after ${length} of ${payload.length} bytes`)));
  });
  socket.write(payload);
  await done;
  socket.destroy();
  return Buffer.concat(chunks);
}

/** Connects, writes, and resolves once the local connection is closed by the forwarder. */
async function untilClosed(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write('GET / HTTP/1.1\r\n\r\n');
  socket.resume();
  await once(socket, 'close');
  return socket;
}

test('portForwardUrl: ws(s) scheme, the server path prefix kept, the port as a query', () => {
  assert.equal(
    portForwardUrl('https://api.example:6443/k8s/', 'ns1', 'p1', 4040),
    'wss://api.example:6443/k8s/api/v1/namespaces/ns1/pods/p1/portforward?ports=4040',
  );
  assert.equal(
    portForwardUrl('http://127.0.0.1:8080', 'ns1', 'p1', 80),
    'ws://127.0.0.1:8080/api/v1/namespaces/ns1/pods/p1/portforward?ports=80',
  );
});

test('PortForwardReader strips the channel byte and each channel port header, and checks the port', () => {
  const reader = new PortForwardReader(PORT);
  assert.equal(reader.ready, false);
  assert.equal(reader.read(Buffer.of(0, 0xc8)), undefined, 'half a header');
  assert.equal(reader.ready, false);
  assert.deepEqual(reader.read(Buffer.of(0, 0x0f, 0x41)), { channel: 'data', payload: Buffer.from('A') });
  assert.equal(reader.ready, true);
  assert.equal(reader.read(portHeader(1)), undefined);
  assert.deepEqual(reader.read(Buffer.from('\x01boom')), { channel: 'error', payload: Buffer.from('boom') });
  assert.deepEqual(reader.read(Buffer.of(0, 0xc8, 0x0f)), { channel: 'data', payload: Buffer.of(0xc8, 0x0f) });
  assert.throws(() => reader.read(Buffer.of(2, 1)), PortForwardError);
  assert.throws(() => new PortForwardReader(PORT).read(portHeader(0, 8080)), /forwards port 8080, not 4040/);
  assert.deepEqual(dataMessage(Buffer.from('hi')), Buffer.from('\x00hi'));
});

test('bytes flow both ways on channel 0, one authenticated WebSocket per local connection', async (t) => {
  const api = await fakeApiServer(createHttpServer(), (req) => req.headers.authorization === 'Bearer t0k3n', echo);
  t.after(() => api.close());
  const errors: Error[] = [];
  const access = tokenAccess(api.url, 't0k3n');
  const endpoint = () => portForwardEndpoint(access, 'ns1', 'p1', PORT);
  await checkPortForward(await endpoint(), PORT);
  const listener = await listenPortForward({ endpoint, port: PORT, onError: (e) => errors.push(e), localPort: 0 });
  t.after(() => listener.close());
  assert.ok(listener.port > 0);

  assert.equal((await roundTrip(listener.port, Buffer.from('hello spark'))).toString(), 'hello spark');
  // More than the forwarder's high-water mark, in order.
  const big = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
  assert.ok((await roundTrip(listener.port, big)).equals(big), 'the echo of 3 MiB matches');

  assert.deepEqual(errors, []);
  assert.deepEqual(api.seen.protocols, [PORT_FORWARD_PROTOCOL, PORT_FORWARD_PROTOCOL, PORT_FORWARD_PROTOCOL]);
  assert.ok(api.seen.authorization.every((a) => a === 'Bearer t0k3n'));
  assert.ok(api.seen.messages.length > 0);
  assert.ok(
    api.seen.messages.every((m) => m.channel === 0 && m.binary),
    'client messages are binary, on channel 0',
  );
});

test('an error-channel message is reported and the local connection closed', async (t) => {
  const message = 'error forwarding port 4040 to pod p1, uid : dial tcp4 127.0.0.1:4040: connect: connection refused';
  const api = await fakeApiServer(
    createHttpServer(),
    () => true,
    (ws) => {
      ws.send(Buffer.concat([Buffer.of(1), Buffer.from(message)]));
      ws.close(1000);
    },
  );
  t.after(() => api.close());
  const errors: Error[] = [];
  const access = tokenAccess(api.url, 'x');
  const listener = await listenPortForward({
    endpoint: () => portForwardEndpoint(access, 'ns1', 'p1', PORT),
    port: PORT,
    onError: (e) => errors.push(e),
    localPort: 0,
  });
  t.after(() => listener.close());
  await untilClosed(listener.port);
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof PortForwardError);
  assert.equal(errors[0].message, message);
});

test('a refusal by the API server is reported with its Status message', async (t) => {
  const api = await fakeApiServer(createHttpServer(), (req) => req.headers.authorization === 'Bearer right', echo);
  t.after(() => api.close());
  const access = tokenAccess(api.url, 'wrong');
  const endpoint = () => portForwardEndpoint(access, 'ns1', 'p1', PORT);
  await assert.rejects(checkPortForward(await endpoint(), PORT), (err: Error) => {
    assert.ok(err instanceof PortForwardError);
    assert.match(err.message, /^pods "p1" is forbidden: User "nobody" cannot create resource "pods\/portforward"$/);
    return true;
  });
  const errors: Error[] = [];
  const listener = await listenPortForward({ endpoint, port: PORT, onError: (e) => errors.push(e), localPort: 0 });
  t.after(() => listener.close());
  await untilClosed(listener.port);
  assert.equal(errors.length, 1);
  assert.match(errors[0]?.message ?? '', /is forbidden/);
});

test('TLS with the kubeconfig client certificate: the server verifies it, the client verifies the server', async (t) => {
  const { generatePki } = await import('../../src/dev/localcluster/pki.ts');
  const pki = await generatePki('10.96.0.1');
  const server = createHttpsServer({
    key: pki.apiserver.key,
    cert: pki.apiserver.cert,
    ca: pki.ca.cert,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const subjects: string[] = [];
  server.on('upgrade', (req: IncomingMessage) => {
    subjects.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN));
  });
  const api = await fakeApiServer(server, () => true, echo);
  t.after(() => api.close());
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: api.url, caData: b64(pki.ca.cert) }],
    users: [{ name: 'u', certData: b64(pki.admin.cert), keyData: b64(pki.admin.key) }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  const errors: Error[] = [];
  const listener = await listenPortForward({
    endpoint: () => portForwardEndpoint(kubeConfig, 'ns1', 'p1', PORT),
    port: PORT,
    onError: (e) => errors.push(e),
    localPort: 0,
  });
  t.after(() => listener.close());
  assert.equal((await roundTrip(listener.port, Buffer.from('over tls'))).toString(), 'over tls');
  assert.deepEqual(errors, []);
  assert.deepEqual(subjects, ['sparkop-admin']);
  assert.equal(api.seen.authorization[0], undefined, 'no token: the certificate authenticates');

  // Without the client certificate the TLS handshake fails, and the connection's error is reported.
  const noCert = new KubeConfig();
  noCert.loadFromOptions({
    clusters: [{ name: 'c', server: api.url, caData: b64(pki.ca.cert) }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  await assert.rejects(checkPortForward(await portForwardEndpoint(noCert, 'ns1', 'p1', PORT), PORT), PortForwardError);
});
