// The light kubeconfig loader gives each request what client-node's KubeConfig gives it (same TLS material, same
// authorization), and hands anything it does not handle to client-node.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import {
  asClientNodeKubeConfig,
  type KubeAccess,
  LightKubeAccess,
  loadKubeAccess,
} from '../../src/runtime/rest/kubeconfig.ts';

const dir = mkdtempSync(join(tmpdir(), 'sparkop-kubeconfig-'));
const b64 = (s: string) => Buffer.from(s).toString('base64');
writeFileSync(join(dir, 'ca.pem'), 'CA FROM FILE');
writeFileSync(join(dir, 'token'), 'token-from-file\n');

function kubeconfig(name: string, cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'ctx',
      contexts: [
        { name: 'other', context: { cluster: 'nope', user: 'nope' } },
        { name: 'ctx', context: { cluster: 'c', user: 'u' } },
      ],
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', ...cluster } }],
      users: [{ name: 'u', user }],
    }),
  );
  return path;
}

async function applied(access: KubeAccess): Promise<Record<string, unknown>> {
  const options: RequestOptions = {};
  await access.applyToHTTPSOptions(options);
  const headers = Object.fromEntries(
    Object.entries((options.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const text = (v: unknown) => (v === undefined ? undefined : String(v));
  return {
    ca: text(options.ca),
    cert: text(options.cert),
    key: text(options.key),
    rejectUnauthorized: options.rejectUnauthorized ?? true,
    servername: options.servername,
    authorization: headers.authorization,
    auth: options.auth,
  };
}

const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
  [
    'client certificate and CA data',
    { 'certificate-authority-data': b64('CA') },
    { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') },
  ],
  ['CA file (relative to the kubeconfig) and a token', { 'certificate-authority': 'ca.pem' }, { token: 'abc' }],
  ['basic auth, insecure', { 'insecure-skip-tls-verify': true }, { username: 'admin', password: 's3cret' }],
  ['TLS server name', { 'certificate-authority-data': b64('CA'), 'tls-server-name': 'kubernetes' }, { token: 't' }],
];

for (const [label, cluster, user] of cases) {
  test(`light kubeconfig = client-node's KubeConfig: ${label}`, async () => {
    const path = kubeconfig(label.replaceAll(/\W+/g, '-'), cluster, user);
    const light = await loadKubeAccess({ kind: 'file', path });
    assert.ok(light instanceof LightKubeAccess, 'simple credentials are read without client-node');
    const reference = new KubeConfig();
    reference.loadFromFile(path);
    assert.equal(light.getCurrentCluster()?.server, reference.getCurrentCluster()?.server);
    assert.deepEqual(await applied(light), await applied(reference));
    const full = await asClientNodeKubeConfig(light);
    assert.deepEqual(await applied(full), await applied(reference));
  });
}

test('exec plugins, token files, auth providers and proxies go to client-node', async () => {
  const tokenFile = kubeconfig('token-file', {}, { tokenFile: join(dir, 'token') });
  assert.ok((await loadKubeAccess({ kind: 'file', path: tokenFile })) instanceof KubeConfig);
  const exec = kubeconfig('exec', {}, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'true' } });
  assert.ok((await loadKubeAccess({ kind: 'file', path: exec })) instanceof KubeConfig);
  const proxy = kubeconfig('proxy', { 'proxy-url': 'http://proxy:3128' }, { token: 't' });
  assert.ok((await loadKubeAccess({ kind: 'file', path: proxy })) instanceof KubeConfig);
});

test('in-cluster: the server from KUBERNETES_SERVICE_HOST/PORT (IPv6 in brackets)', async () => {
  const access = await loadKubeAccess(
    { kind: 'in-cluster' },
    { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
  );
  assert.equal(access.getCurrentCluster()?.server, 'https://[fd00::1]:443');
  await assert.rejects(loadKubeAccess({ kind: 'in-cluster' }, {}), /not in a cluster/);
});
