// What the operator's writes cost it in CPU, by transport: concurrent ConfigMap creates (each about the size of a
// driver pod's JSON) through sparkop's client (rate limiter, metrics, typed errors over node https with a keep-alive
// agent), through bare node https with the same kind of agent, and through one node:http2 session (client-go's
// default transport), against a private local control plane. Prints req/s and the client's CPU per request
// (process.cpuUsage over the round); not a test, no result file.
//
//   npm run bench -- http-transport [--requests N] [--concurrency C] [--rounds R] [--body-bytes B]
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:http2';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { LocalCluster } from '../src/dev/localcluster/cluster.ts';
import { newClient } from '../src/runtime/client/client.ts';
import type { KubeObject } from '../src/runtime/index.ts';
import { numberFlag } from './lib/args.ts';

const argv = process.argv.slice(2);
const REQUESTS = numberFlag(argv, 'requests', 2000) ?? 2000;
const CONCURRENCY = numberFlag(argv, 'concurrency', 16) ?? 16;
const ROUNDS = numberFlag(argv, 'rounds', 3) ?? 3;
const BODY_BYTES = numberFlag(argv, 'body-bytes', 4000) ?? 4000;
const PATH = '/api/v1/namespaces/default/configmaps';

interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

type Post = (body: string) => Promise<unknown>;

function collect(status: () => number, resolve: (v: unknown) => void, reject: (e: Error) => void) {
  const chunks: Buffer[] = [];
  return {
    data: (c: Buffer) => chunks.push(c),
    end: () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (status() >= 400) reject(new Error(`${status()}: ${text}`));
      else resolve(JSON.parse(text));
    },
  };
}

function https1(server: URL, tls: TlsMaterial): { post: Post; close: () => void } {
  const agent = new Agent({ keepAlive: true, ...tls });
  const post: Post = (body) =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          hostname: server.hostname,
          port: server.port,
          method: 'POST',
          path: PATH,
          agent,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const sink = collect(() => res.statusCode ?? 0, resolve, reject);
          res.on('data', sink.data);
          res.on('end', sink.end);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}

function http2(server: URL, tls: TlsMaterial): { post: Post; close: () => void } {
  const session = connect(server, tls);
  const post: Post = (body) =>
    new Promise((resolve, reject) => {
      const req = session.request({
        ':method': 'POST',
        ':path': PATH,
        'content-type': 'application/json',
        accept: 'application/json',
      });
      let status = 0;
      const sink = collect(() => status, resolve, reject);
      req.on('response', (headers) => {
        status = Number(headers[':status']);
      });
      req.on('data', sink.data);
      req.on('end', sink.end);
      req.on('error', reject);
      req.end(body);
    });
  return { post, close: () => session.close() };
}

const stateRoot = mkdtempSync(join(tmpdir(), 'sparkop-bench-'));
const cluster = await LocalCluster.start({ stateRoot, nodes: 1 });
try {
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  const tls: TlsMaterial = {};
  await kc.applyToHTTPSOptions(tls as never);
  const client = newClient({ kubeConfig: kc, qps: 0 });
  const plain = https1(server, { ca: tls.ca, cert: tls.cert, key: tls.key });
  const multiplexed = http2(server, { ca: tls.ca, cert: tls.cert, key: tls.key });
  const pad = 'x'.repeat(BODY_BYTES);
  const configMap = (name: string): KubeObject =>
    ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { pad } }) as KubeObject;
  const transports: [string, (name: string) => Promise<unknown>][] = [
    ['sparkop client (node https, keep-alive)', (name) => client.create(configMap(name))],
    ['bare node https, keep-alive', (name) => plain.post(JSON.stringify(configMap(name)))],
    ['node:http2, one session', (name) => multiplexed.post(JSON.stringify(configMap(name)))],
  ];
  console.log(`${REQUESTS} ConfigMap creates of ${BODY_BYTES} bytes each, ${CONCURRENCY} at a time, per round`);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [t, [label, create]] of transports.entries()) {
      let next = 0;
      const cpu0 = process.cpuUsage();
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let i = next++; i < REQUESTS; i = next++) await create(`r${round}-t${t}-${i}`);
        }),
      );
      const cpu = process.cpuUsage(cpu0);
      const seconds = (performance.now() - started) / 1000;
      const msPerRequest = (micros: number) => (micros / 1000 / REQUESTS).toFixed(3);
      console.log(
        `round ${round} ${label}: ${(REQUESTS / seconds).toFixed(0)} req/s, client CPU ` +
          `${msPerRequest(cpu.user + cpu.system)} ms per request (user ${msPerRequest(cpu.user)}, system ${msPerRequest(cpu.system)})`,
      );
    }
  }
  plain.close();
  multiplexed.close();
} finally {
  await cluster.stop();
  rmSync(stateRoot, { recursive: true, force: true });
}
