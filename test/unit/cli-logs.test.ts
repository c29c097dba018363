// `sparkctl logs` and `sparkctl ui`: argument parsing, the choice of pod, container and port (pure), and the logs
// command as a process against a fake API server (discovery, the application, its pods, a streamed log).
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { WebSocketServer } from 'ws';
import { stringify } from 'yaml';
import type { SparkApplication } from '../../src/api/index.ts';
import { UsageError } from '../../src/cli/errors.ts';
import {
  driverUiPort,
  logPath,
  logTarget,
  type PodView,
  parseLogsArgs,
  parseUiArgs,
  uiTarget,
} from '../../src/cli/pod-commands.ts';

const SPARKCTL = new URL('../../src/cli/sparkctl.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sparkctl-logs-'));
let clusters = 0;

type Status = Partial<NonNullable<SparkApplication['status']>>;

function app(status: Status = {}, spec: Partial<SparkApplication['spec']> = {}): SparkApplication {
  return {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'SparkApplication',
    metadata: { name: 'pi', namespace: 'jobs' },
    spec: { type: 'Scala', mode: 'cluster', sparkVersion: '3.5.8', ...spec } as SparkApplication['spec'],
    status: status as SparkApplication['status'],
  } as SparkApplication;
}

const running = (podName = 'pi-driver') =>
  app({ applicationState: { state: 'RUNNING' }, driverInfo: { podName }, submissionID: 'sub-2' });

function pod(name: string, labels: Record<string, string> = {}, extra: Partial<PodView> = {}): PodView {
  return {
    metadata: { name, labels, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { containers: [{ name: name.includes('exec') ? 'spark-kubernetes-executor' : 'spark-kubernetes-driver' }] },
    status: { phase: 'Running' },
    ...extra,
  };
}

const executor = (id: number, extra: Record<string, string> = {}, created = '2026-01-01T00:00:00Z'): PodView => ({
  ...pod(`pi-1a2b-exec-${id}`, { 'spark-role': 'executor', 'spark-exec-id': String(id), ...extra }),
  metadata: {
    name: `pi-1a2b-exec-${id}`,
    labels: { 'spark-role': 'executor', 'spark-exec-id': String(id), ...extra },
    creationTimestamp: created,
  },
});

test('parseLogsArgs: NAME and the kubectl-like flags', () => {
  assert.deepEqual(parseLogsArgs(['pi']), { name: 'pi', follow: false, previous: false });
  assert.deepEqual(
    parseLogsArgs(['pi', '-n', 'jobs', '--executor', '3', '-f', '-p', '--tail', '20', '-c', 'sidecar']),
    { name: 'pi', namespace: 'jobs', executor: 3, container: 'sidecar', follow: true, previous: true, tail: 20 },
  );
  assert.deepEqual(parseLogsArgs(['--follow', '--previous', '--container=x', '--tail=-1', 'pi', '--kubeconfig=k']), {
    name: 'pi',
    kubeconfig: 'k',
    container: 'x',
    follow: true,
    previous: true,
  });
  assert.throws(() => parseLogsArgs([]), new UsageError("logs needs the application's NAME"));
  assert.throws(() => parseLogsArgs(['a', 'b']), /logs takes one NAME \(got 2\)/);
  assert.throws(() => parseLogsArgs(['pi', '--executor', 'exec-1']), /--executor exec-1: expected a Spark executor id/);
  assert.throws(() => parseLogsArgs(['pi', '--tail', 'ten']), /--tail ten: expected a number of lines/);
  assert.throws(() => parseLogsArgs(['pi', '--tail=-5']), /--tail -5/);
  assert.throws(() => parseLogsArgs(['pi', '--bogus']), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
});

test('parseUiArgs: NAME, -n and --port', () => {
  assert.deepEqual(parseUiArgs(['pi']), { name: 'pi' });
  assert.deepEqual(parseUiArgs(['pi', '-n', 'jobs', '--port', '8080']), { name: 'pi', namespace: 'jobs', port: 8080 });
  assert.deepEqual(parseUiArgs(['pi', '--port=0']), { name: 'pi', port: 0 });
  assert.throws(() => parseUiArgs([]), /ui needs the application's NAME/);
  assert.throws(() => parseUiArgs(['pi', '--port', '70000']), /--port 70000: expected a local port/);
  assert.throws(() => parseUiArgs(['pi', '--port', 'http']), /--port http/);
});

test('logTarget: the driver pod of the status, else of the naming rule; its Spark container', () => {
  assert.deepEqual(logTarget(running(), [pod('pi-driver')], {}), {
    pod: 'pi-driver',
    container: 'spark-kubernetes-driver',
  });
  assert.deepEqual(logTarget(running('custom-driver'), [pod('custom-driver')], {}), {
    pod: 'custom-driver',
    container: 'spark-kubernetes-driver',
  });
  // Nothing recorded yet: spec.driver.podName, else <app>-driver.
  const named = app({ applicationState: { state: 'SUBMITTED' } }, { driver: { podName: 'named' } });
  assert.deepEqual(logTarget(named, [pod('named')], {}), { pod: 'named', container: 'spark-kubernetes-driver' });
  // A pod whose containers do not include Spark's name: its first container.
  const renamed: PodView = { ...pod('pi-driver'), spec: { containers: [{ name: 'main' }, { name: 'sidecar' }] } };
  assert.deepEqual(logTarget(running(), [renamed], {}), { pod: 'pi-driver', container: 'main' });
  // --container: one of the pod's containers or init containers.
  const withSidecar: PodView = {
    ...pod('pi-driver'),
    spec: {
      containers: [{ name: 'spark-kubernetes-driver' }, { name: 'sidecar' }],
      initContainers: [{ name: 'init' }],
    },
  };
  assert.deepEqual(logTarget(running(), [withSidecar], { container: 'sidecar' }), {
    pod: 'pi-driver',
    container: 'sidecar',
  });
  assert.deepEqual(logTarget(running(), [withSidecar], { container: 'init' }), { pod: 'pi-driver', container: 'init' });
  assert.deepEqual(logTarget(running(), [withSidecar], { container: 'nope' }), {
    error: 'pod pi-driver has no container "nope"; its containers: spark-kubernetes-driver, sidecar, init',
  });
});

test('logTarget: no driver pod, explained by the state', () => {
  const missing = (status: Status) => logTarget(app(status), [], {});
  assert.deepEqual(missing({}), { error: 'the driver pod has not been created yet (state new)' });
  assert.deepEqual(missing({ applicationState: { state: 'SUBMITTED' } }), {
    error: 'the driver pod has not been created yet (state SUBMITTED)',
  });
  assert.deepEqual(missing({ applicationState: { state: 'PENDING_RERUN' } }), {
    error: 'the driver pod has not been created yet (state PENDING_RERUN)',
  });
  assert.deepEqual(missing({ applicationState: { state: 'SUBMISSION_FAILED', errorMessage: 'quota exceeded' } }), {
    error: 'the driver pod has not been created: the submission failed: quota exceeded',
  });
  for (const state of ['COMPLETED', 'FAILED', 'SUCCEEDING', 'FAILING'] as const) {
    assert.deepEqual(missing({ applicationState: { state }, driverInfo: { podName: 'pi-driver' } }), {
      error: 'driver pod pi-driver is gone (the application ended; its pod was deleted)',
    });
  }
  assert.deepEqual(missing({ applicationState: { state: 'SUSPENDED' } }), {
    error: 'the application is suspended (state SUSPENDED): it has no driver pod',
  });
  assert.deepEqual(missing({ applicationState: { state: 'RUNNING' }, driverInfo: { podName: 'pi-driver' } }), {
    error: 'driver pod pi-driver not found (state RUNNING: it was deleted)',
  });
  // A pod of another name does not count.
  assert.ok('error' in logTarget(running(), [pod('other-driver')], {}));
});

test('logTarget --executor N: the pod with spark-exec-id N, the current submission first', () => {
  const pods = [executor(1), executor(2), executor(10)];
  assert.deepEqual(logTarget(running(), pods, { executor: 2 }), {
    pod: 'pi-1a2b-exec-2',
    container: 'spark-kubernetes-executor',
  });
  assert.deepEqual(logTarget(running(), pods, { executor: 10, container: 'spark-kubernetes-executor' }), {
    pod: 'pi-1a2b-exec-10',
    container: 'spark-kubernetes-executor',
  });
  // Two pods with id 1: the current submission's wins over a newer one of an older submission.
  const old = {
    ...executor(1, { 'sparkoperator.k8s.io/submission-id': 'sub-1' }, '2026-01-02T00:00:00Z'),
    metadata: { name: 'old-exec-1', labels: { 'spark-role': 'executor', 'spark-exec-id': '1' } },
  };
  const current = {
    ...executor(1),
    metadata: {
      name: 'new-exec-1',
      labels: { 'spark-role': 'executor', 'spark-exec-id': '1', 'sparkoperator.k8s.io/submission-id': 'sub-2' },
    },
  };
  assert.equal((logTarget(running(), [old, current], { executor: 1 }) as { pod: string }).pod, 'new-exec-1');
  // Without the label, the id is the name's trailing number.
  const unlabelled: PodView = { ...pod('pi-1a2b-exec-7', { 'spark-role': 'executor' }) };
  assert.deepEqual(logTarget(running(), [unlabelled], { executor: 7 }), {
    pod: 'pi-1a2b-exec-7',
    container: 'spark-kubernetes-executor',
  });
});

test('logTarget --executor N: not found lists the ids there are; a tracked one whose pod is gone says so', () => {
  const withState = app({
    applicationState: { state: 'RUNNING' },
    driverInfo: { podName: 'pi-driver' },
    executorState: { 'pi-1a2b-exec-1': 'RUNNING', 'pi-1a2b-exec-2': 'RUNNING', 'pi-1a2b-exec-4': 'FAILED' },
  });
  assert.deepEqual(logTarget(withState, [executor(1), executor(2)], { executor: 9 }), {
    error: "executor 9 not found; the application's executors: 1, 2, 4",
  });
  assert.deepEqual(logTarget(withState, [executor(1), executor(2)], { executor: 4 }), {
    error: 'executor 4 (pod pi-1a2b-exec-4, FAILED) is gone: its pod was deleted',
  });
  assert.deepEqual(logTarget(running(), [], { executor: 1 }), {
    error: 'executor 1 not found: the application has no executors',
  });
  // The driver pod is no executor.
  assert.ok('error' in logTarget(running(), [pod('pi-driver', { 'spark-role': 'driver' })], { executor: 0 }));
});

test('logPath: the log subresource with kubectl logs query parameters', () => {
  const target = { pod: 'pi-driver', container: 'spark-kubernetes-driver' };
  assert.equal(
    logPath('jobs', target, {}),
    '/api/v1/namespaces/jobs/pods/pi-driver/log?container=spark-kubernetes-driver',
  );
  assert.equal(
    logPath('jobs', target, { follow: true, previous: true, tail: 50 }),
    '/api/v1/namespaces/jobs/pods/pi-driver/log?container=spark-kubernetes-driver&follow=true&previous=true&tailLines=50',
  );
  assert.match(logPath('jobs', target, { tail: 0 }), /tailLines=0$/);
});

test('uiTarget: the running driver pod and the port its UI listens on', () => {
  assert.deepEqual(uiTarget(running(), [pod('pi-driver')]), { pod: 'pi-driver', port: 4040 });
  const declared: PodView = {
    ...pod('pi-driver'),
    spec: {
      containers: [
        {
          name: 'spark-kubernetes-driver',
          ports: [
            { name: 'driver-rpc-port', containerPort: 7078 },
            { name: 'spark-ui', containerPort: 4041 },
          ],
        },
      ],
    },
  };
  assert.deepEqual(uiTarget(running(), [declared]), { pod: 'pi-driver', port: 4041 });
  // Not declared: spark.ui.port; the UI Service's port (sparkUIOptions.servicePort) is not the pod's.
  const conf = app(running().status, { sparkConf: { 'spark.ui.port': '4050' }, sparkUIOptions: { servicePort: 80 } });
  assert.equal(driverUiPort(conf, pod('pi-driver')), 4050);
  assert.equal(driverUiPort(app({}, { sparkUIOptions: { servicePort: 80 } }), pod('pi-driver')), 4040);

  assert.deepEqual(uiTarget(running(), [{ ...pod('pi-driver'), status: { phase: 'Pending' } }]), {
    error: 'driver pod pi-driver is Pending: its Spark UI starts once it runs',
  });
  assert.deepEqual(uiTarget(running(), [{ ...pod('pi-driver'), status: { phase: 'Succeeded' } }]), {
    error: 'driver pod pi-driver has ended (Succeeded): its Spark UI ended with it',
  });
  assert.deepEqual(uiTarget(app({ applicationState: { state: 'COMPLETED' } }), []), {
    error: 'driver pod pi-driver is gone (the application ended; its pod was deleted)',
  });
  const disabled = app(running().status, { sparkConf: { 'spark.ui.enabled': 'false' } });
  assert.deepEqual(uiTarget(disabled, [pod('pi-driver')]), {
    error: 'the Spark UI is disabled (spark.ui.enabled=false)',
  });
});

// The logs command as a process, against a fake API server.

interface FakeCluster {
  readonly kubeconfig: string;
  readonly requests: string[];
  /** The response of the log request being served, to write more to. */
  logResponse(): Promise<ServerResponse>;
  close(): Promise<void>;
}

async function fakeCluster(t: test.TestContext, appStatus: Status): Promise<FakeCluster> {
  const requests: string[] = [];
  const logResponses: ServerResponse[] = [];
  const waiting: ((res: ServerResponse) => void)[] = [];
  const json = (res: ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const notFound = (res: ServerResponse, what: string) =>
    json(res, 404, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: `${what} not found` });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '', 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.search} ${req.headers.authorization ?? ''}`);
    const path = url.pathname;
    if (path === '/apis/sparkoperator.k8s.io/v1beta2') {
      return json(res, 200, {
        kind: 'APIResourceList',
        groupVersion: 'sparkoperator.k8s.io/v1beta2',
        resources: [{ name: 'sparkapplications', namespaced: true, kind: 'SparkApplication', verbs: ['get'] }],
      });
    }
    if (path === '/api/v1') {
      return json(res, 200, {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: [
          { name: 'pods', namespaced: true, kind: 'Pod', verbs: ['get', 'list'] },
          { name: 'pods/log', namespaced: true, kind: 'Pod', verbs: ['get'] },
        ],
      });
    }
    if (path === '/apis/sparkoperator.k8s.io/v1beta2/namespaces/jobs/sparkapplications/pi') {
      return json(res, 200, { ...app(appStatus), metadata: { name: 'pi', namespace: 'jobs' } });
    }
    if (path.startsWith('/apis/sparkoperator.k8s.io/v1beta2/namespaces/jobs/sparkapplications/')) {
      return notFound(res, 'sparkapplications.sparkoperator.k8s.io "missing"');
    }
    if (path === '/api/v1/namespaces/jobs/pods/pi-driver') {
      return json(res, 200, { apiVersion: 'v1', kind: 'Pod', ...pod('pi-driver') });
    }
    if (path === '/api/v1/namespaces/jobs/pods') {
      return json(res, 200, { kind: 'PodList', metadata: {}, items: [executor(1), executor(2)] });
    }
    if (path === '/api/v1/namespaces/jobs/pods/pi-driver/log' && url.searchParams.get('previous') === 'true') {
      return json(res, 400, {
        kind: 'Status',
        status: 'Failure',
        reason: 'BadRequest',
        code: 400,
        message: 'previous terminated container "spark-kubernetes-driver" in pod "pi-driver" not found',
      });
    }
    if (path.endsWith('/log')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      if (url.searchParams.get('follow') !== 'true') return res.end(`log of ${path.split('/')[6]}\n`);
      res.write('line 1\n');
      const next = waiting.shift();
      if (next) next(res);
      else logResponses.push(res);
      return;
    }
    return notFound(res, path);
  });
  // The driver's port-forward: the port headers, then an echo on the data channel.
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => [...protocols][0] ?? false });
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    requests.push(`UPGRADE ${req.url} ${req.headers.authorization ?? ''}`);
    if (req.url !== '/api/v1/namespaces/jobs/pods/pi-driver/portforward?ports=4040') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(Buffer.of(0, 0xc8, 0x0f));
      ws.send(Buffer.of(1, 0xc8, 0x0f));
      ws.on('message', (data) => ws.send(data as Buffer));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const path = join(dir, `kubeconfig-${++clusters}.yaml`);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'ctx',
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'jobs' } }],
      clusters: [
        {
          name: 'c',
          cluster: {
            server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            // client-node refuses plain HTTP otherwise.
            'insecure-skip-tls-verify': true,
          },
        },
      ],
      users: [{ name: 'u', user: { token: 'secret-token' } }],
    }),
  );
  const cluster: FakeCluster = {
    kubeconfig: path,
    requests,
    logResponse: () => {
      const ready = logResponses.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  t.after(() => cluster.close());
  return cluster;
}

const run = promisify(execFile);

async function sparkctl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SPARKCTL, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const RUNNING_STATUS: Status = {
  applicationState: { state: 'RUNNING' },
  driverInfo: { podName: 'pi-driver' },
  executorState: { 'pi-1a2b-exec-1': 'RUNNING', 'pi-1a2b-exec-2': 'RUNNING' },
};

test('sparkctl logs prints the driver log, or an executor log, through the API server with the kubeconfig token', async (t) => {
  const cluster = await fakeCluster(t, RUNNING_STATUS);
  const k = `--kubeconfig=${cluster.kubeconfig}`;
  const driver = await sparkctl(['logs', 'pi', k, '--tail', '5']);
  assert.equal(driver.stderr, '');
  assert.equal(driver.code, 0);
  assert.equal(driver.stdout, 'log of pi-driver\n');
  assert.ok(
    cluster.requests.includes(
      'GET /api/v1/namespaces/jobs/pods/pi-driver/log?container=spark-kubernetes-driver&tailLines=5 Bearer secret-token',
    ),
    cluster.requests.join('\n'),
  );
  const exec = await sparkctl(['logs', 'pi', k, '--executor', '2']);
  assert.equal(exec.code, 0, exec.stderr);
  assert.equal(exec.stdout, 'log of pi-1a2b-exec-2\n');
  assert.ok(
    cluster.requests.some((r) =>
      r.startsWith(
        'GET /api/v1/namespaces/jobs/pods?labelSelector=sparkoperator.k8s.io%2Fapp-name%3Dpi%2Cspark-role%3Dexecutor',
      ),
    ),
    cluster.requests.join('\n'),
  );
});

test('sparkctl logs reports errors with a non-zero exit code', async (t) => {
  const cluster = await fakeCluster(t, RUNNING_STATUS);
  const k = `--kubeconfig=${cluster.kubeconfig}`;
  const missingApp = await sparkctl(['logs', 'missing', k]);
  assert.equal(missingApp.code, 1);
  assert.match(
    missingApp.stderr,
    /^error: sparkapplication.sparkoperator.k8s.io "missing" in namespace jobs not found/,
  );
  const noExecutor = await sparkctl(['logs', 'pi', k, '--executor', '7']);
  assert.equal(noExecutor.code, 1);
  assert.match(noExecutor.stderr, /executor 7 not found; the application's executors: 1, 2/);
  const previous = await sparkctl(['logs', 'pi', k, '-p']);
  assert.equal(previous.code, 1);
  assert.equal(
    previous.stderr,
    'error: previous terminated container "spark-kubernetes-driver" in pod "pi-driver" not found\n',
  );
  const usage = await sparkctl(['logs', k]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /logs needs the application's NAME/);

  const ended = await fakeCluster(t, { applicationState: { state: 'COMPLETED' }, driverInfo: { podName: 'gone' } });
  const gone = await sparkctl(['logs', 'pi', `--kubeconfig=${ended.kubeconfig}`]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /driver pod gone is gone \(the application ended; its pod was deleted\)/);
});

test('sparkctl logs -f prints each part as it arrives and ends with the log', { timeout: 30_000 }, async (t) => {
  const cluster = await fakeCluster(t, RUNNING_STATUS);
  const child: ChildProcess = spawn(process.execPath, [
    SPARKCTL,
    'logs',
    'pi',
    '-f',
    `--kubeconfig=${cluster.kubeconfig}`,
  ]);
  t.after(() => child.kill());
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const seen = async (text: string) => {
    while (!stdout.includes(text)) await once(child.stdout as NodeJS.ReadableStream, 'data');
  };
  const res = await cluster.logResponse();
  await seen('line 1\n');
  assert.equal(stdout, 'line 1\n', 'the first part is printed while the log is still open');
  res.write('line 2\n');
  await seen('line 2\n');
  res.end('line 3\n');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.equal(stdout, 'line 1\nline 2\nline 3\n');
  assert.ok(
    cluster.requests.some((r) => r.includes('/pods/pi-driver/log?container=spark-kubernetes-driver&follow=true')),
  );
});

test('sparkctl ui forwards a local port to the driver UI port until Ctrl-C', { timeout: 30_000 }, async (t) => {
  const cluster = await fakeCluster(t, RUNNING_STATUS);
  const child = spawn(process.execPath, [SPARKCTL, 'ui', 'pi', '--port', '0', `--kubeconfig=${cluster.kubeconfig}`]);
  t.after(() => child.kill());
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const printed = /^Spark UI of pi: http:\/\/127\.0\.0\.1:(\d+) {2}\(Ctrl-C to stop\)\n$/;
  while (!printed.test(stdout)) await once(child.stdout, 'data');
  const port = Number(printed.exec(stdout)?.[1]);

  const socket = connect(port, '127.0.0.1');
  socket.write('GET / HTTP/1.1\r\n\r\n');
  let echoed = '';
  for await (const chunk of socket) {
    echoed += String(chunk);
    if (echoed.length >= 18) break;
  }
  assert.equal(echoed, 'GET / HTTP/1.1\r\n\r\n');

  child.kill('SIGINT');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  const upgrades = cluster.requests.filter((r) => r.startsWith('UPGRADE'));
  // One stream checks that the pod accepts port-forwards, then one per local connection.
  assert.deepEqual(upgrades, [
    'UPGRADE /api/v1/namespaces/jobs/pods/pi-driver/portforward?ports=4040 Bearer secret-token',
    'UPGRADE /api/v1/namespaces/jobs/pods/pi-driver/portforward?ports=4040 Bearer secret-token',
  ]);
});
