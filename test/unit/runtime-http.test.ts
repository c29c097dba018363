// The HTTP transport against a loopback HTTPS server that asks for client certificates: connections are kept and
// reused per TLS identity, the server's CA is checked, and a new client certificate (a rotation) is sent on a new
// connection.
import assert from 'node:assert/strict';
import { createServer, type RequestOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { generatePki, type PemPair } from '../../src/dev/localcluster/pki.ts';
import { TransportError } from '../../src/runtime/errors.ts';
import { HttpTransport } from '../../src/runtime/rest/http.ts';
import type { KubeAccess } from '../../src/runtime/rest/kubeconfig.ts';

function access(server: string, ca: string, client: () => PemPair): KubeAccess {
  return {
    getCurrentCluster: () => ({ name: 'loopback', server, skipTLSVerify: false }),
    async applyToHTTPSOptions(options: RequestOptions) {
      const { cert, key } = client();
      options.ca = ca;
      options.cert = cert;
      options.key = key;
    },
  } as KubeAccess;
}

test('connections are reused per TLS identity; a rotated client certificate gets a connection of its own', async (t) => {
  const [pki, other] = await Promise.all([generatePki('10.96.0.1'), generatePki('10.96.0.1')]);
  const connections: string[] = [];
  const server = createServer(
    { cert: pki.apiserver.cert, key: pki.apiserver.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ subject: String(peer.subject?.CN) }));
    },
  );
  server.on('secureConnection', (socket: TLSSocket) =>
    connections.push(String(socket.getPeerCertificate().subject?.CN)),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let identity: PemPair = pki.admin;
  const transport = new HttpTransport(
    access(url, pki.ca.cert, () => identity),
    'test',
  );
  t.after(() => transport.close());
  const ask = async () => JSON.parse((await transport.request({ method: 'GET', path: '/' })).body.toString('utf8'));

  for (let i = 0; i < 20; i++) assert.equal((await ask()).subject, 'sparkop-admin');
  assert.equal(connections.length, 1, 'twenty sequential requests, one connection');

  identity = pki.controllerManager; // a new certificate and key: the next request presents it
  assert.equal((await ask()).subject, 'system:kube-controller-manager');
  assert.equal(connections.length, 2);
  identity = pki.admin; // back to the first identity: its pooled connection is still there
  assert.equal((await ask()).subject, 'sparkop-admin');
  assert.equal(connections.length, 2);

  // A server certificate from another CA is refused.
  const stranger = new HttpTransport(
    access(url, other.ca.cert, () => pki.admin),
    'test',
  );
  t.after(() => stranger.close());
  await assert.rejects(stranger.request({ method: 'GET', path: '/' }), TransportError);
});
