import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { embeddedBanner } from '../../src/operator/banner.ts';
import {
  bindAddress,
  checkOptions,
  leaderElectionConfig,
  OperatorConfigError,
  serverAddresses,
  sparkHomeFor,
} from '../../src/operator/config.ts';
import { OptionError, operatorFlagsHelp, parseOperatorOptions } from '../../src/operator/options.ts';
import { chooseTarget } from '../../src/operator/target.ts';

const parse = (...argv: string[]) => parseOperatorOptions(argv).options;

test('bind addresses: ":port" is every interface (loopback in the embedded mode), "0" or disabled is none', () => {
  assert.equal(bindAddress(':8080'), '0.0.0.0:8080');
  assert.equal(bindAddress(':8080', true, true), '127.0.0.1:8080');
  assert.equal(bindAddress('10.0.0.1:9090'), '10.0.0.1:9090');
  assert.equal(bindAddress('0'), undefined);
  assert.equal(bindAddress(':8080', false), undefined);
  assert.deepEqual(serverAddresses(parse('--enable-metrics=false')), { healthProbeBindAddress: '0.0.0.0:8081' });
  assert.deepEqual(serverAddresses(parse('--metrics-bind-address=127.0.0.1:0', '--health-probe-bind-address=0')), {
    metricsBindAddress: '127.0.0.1:0',
  });
  assert.throws(() => serverAddresses(parse('--metrics-endpoint=/m')), /--metrics-endpoint \/m: only \/metrics/);
});

test('leader election: off by default; on, the lease comes from the flags and the pod namespace', () => {
  assert.equal(leaderElectionConfig(parse(), {}), undefined);
  const on = parse('--leader-election', '--leader-election-lease-duration=20s', '--leader-election-renew-deadline=12s');
  assert.deepEqual(leaderElectionConfig(on, { podNamespace: 'spark-operator' }), {
    leaseName: 'sparkop-lock',
    leaseNamespace: 'spark-operator',
    leaseDurationMs: 20_000,
    renewDeadlineMs: 12_000,
    retryPeriodMs: 2_000,
  });
  const named = parse('--leader-election', '--leader-election-lock-namespace=ops');
  assert.equal(leaderElectionConfig(named, { podNamespace: 'x' })?.leaseNamespace, 'ops');
  assert.throws(() => leaderElectionConfig(parse('--leader-election'), {}), OperatorConfigError);
  const bad = parse(
    '--leader-election',
    '--leader-election-lock-namespace=ops',
    '--leader-election-renew-deadline=20s',
  );
  assert.throws(() => leaderElectionConfig(bad, {}), /renew-deadline must be shorter/);
});

test('options that cannot hold together are errors naming the flags', () => {
  assert.throws(
    () => checkOptions(parse('--namespaces=a', '--namespace-selector=team=x')),
    /--namespaces and --namespace-selector/,
  );
  assert.doesNotThrow(() => checkOptions(parse('--namespaces=a,b')));
  assert.throws(() => sparkHomeFor(parse('--submitter=spark-submit'), {}), /needs --spark-home or \$SPARK_HOME/);
  assert.equal(sparkHomeFor(parse('--submitter=spark-submit'), { SPARK_HOME: '/opt/spark' }), '/opt/spark');
  assert.equal(sparkHomeFor(parse('--spark-home=/s'), { SPARK_HOME: '/opt/spark' }), '/s');
});

test('the process flags: --kubeconfig, --local, --install-crds, --spark-simulator, with env equivalents', () => {
  const o = parse('--kubeconfig=/k', '--local', '--no-install-crds', '--spark-simulator');
  assert.equal(o.kubeconfig, '/k');
  assert.equal(o.local, true);
  assert.equal(o.installCrds, false);
  assert.equal(o.sparkSimulator, true);
  const d = parse();
  assert.equal(d.installCrds, true);
  assert.equal(d.sparkSimulator, false);
  assert.equal(parseOperatorOptions([], { SPARKOP_LOCAL: 'true' }).options.local, true);
  assert.throws(
    () => parse('--locale'),
    (err: unknown) => err instanceof OptionError && /did you mean --local/.test(err.message),
  );
  for (const name of ['kubeconfig', 'local', 'install-crds', 'spark-simulator']) {
    assert.match(operatorFlagsHelp(), new RegExp(`  --${name}\\n`));
  }
});

test('target: --local, then --kubeconfig, in-cluster, $KUBECONFIG, ~/.kube/config, else the embedded control plane', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sparkop-target-'));
  const file = join(dir, 'config');
  writeFileSync(file, 'apiVersion: v1\n');
  const emptyHome = join(dir, 'empty-home');
  const home = join(dir, 'home');
  mkdirSync(join(home, '.kube'), { recursive: true });
  writeFileSync(join(home, '.kube', 'config'), 'apiVersion: v1\n');
  const inCluster = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443', KUBECONFIG: file };
  assert.deepEqual(chooseTarget({ local: true, kubeconfig: file }, inCluster, home), { kind: 'local' });
  assert.deepEqual(chooseTarget({ local: false, kubeconfig: file }, inCluster, home), {
    kind: 'kubeconfig',
    path: file,
  });
  assert.deepEqual(chooseTarget({ local: false }, inCluster, home), { kind: 'in-cluster' });
  assert.deepEqual(chooseTarget({ local: false }, { KUBECONFIG: `/nope:${file}` }, home), {
    kind: 'kubeconfig',
    path: file,
  });
  assert.deepEqual(chooseTarget({ local: false }, {}, home), {
    kind: 'kubeconfig',
    path: join(home, '.kube', 'config'),
  });
  assert.deepEqual(chooseTarget({ local: false }, {}, emptyHome), { kind: 'local' });
  assert.throws(() => chooseTarget({ local: false, kubeconfig: join(dir, 'missing') }, {}, home), /no such file/);
});

test('the embedded banner carries the export line and how to run the example', () => {
  const text = embeddedBanner({
    kubernetesVersion: 'v1.36.3',
    kubeconfigPath: '/state/sparkop/kubeconfig',
    kubectlDir: '/cache/bin',
    example: 'examples/spark-pi.yaml',
  });
  assert.match(text, /^ {2}export KUBECONFIG=\/state\/sparkop\/kubeconfig$/m);
  assert.match(text, /npx sparkctl create -f examples\/spark-pi.yaml/);
  assert.match(text, /SUBMITTED → RUNNING → COMPLETED/);
});

test('with --real-spark the banner says real Spark runs and how to see the computed Pi', () => {
  const input = {
    kubernetesVersion: 'v1.36.3',
    kubeconfigPath: '/state/sparkop/kubeconfig',
    kubectlDir: '/cache/bin',
    example: 'examples/spark-pi.yaml',
  };
  const real = embeddedBanner({ ...input, realSpark: true });
  assert.match(real, /a real node running real Spark/);
  assert.match(real, /npx sparkctl logs spark-pi \| grep 'Pi is roughly'/);
  assert.doesNotMatch(real, /sim\.sparkop\.dev/);
  assert.match(embeddedBanner(input), /simulated nodes/);
});
