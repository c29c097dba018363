import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  envName,
  OPERATOR_FLAGS,
  OptionError,
  operatorFlagsHelp,
  parseDuration,
  parseOperatorOptions,
} from '../../src/operator/options.ts';

test('defaults match the documented ones', () => {
  const { options } = parseOperatorOptions([]);
  assert.equal(options.controllerThreads, 10);
  assert.deepEqual(options.namespaces, []);
  assert.equal(options.enableUiService, true);
  assert.equal(options.leaderElectionLeaseDuration, 15_000);
  assert.equal(options.leaderElectionRenewDeadline, 10_000);
  assert.equal(options.leaderElectionRetryPeriod, 2_000);
  assert.equal(options.driverPodCreationGracePeriod, 10_000);
  assert.equal(options.submitter, 'native');
  assert.equal(options.logFormat, 'json');
  assert.equal(options.kubeApiQps, 0, 'no client-side rate limit');
  assert.equal(options.kubeApiBurst, 30);
});

test('--kube-api-qps: 0 or negative is no limit, a positive value sets one; --kube-api-burst goes with it', () => {
  assert.equal(parseOperatorOptions(['--kube-api-qps=-1']).options.kubeApiQps, -1);
  const { options } = parseOperatorOptions(['--kube-api-qps=20', '--kube-api-burst=40']);
  assert.deepEqual([options.kubeApiQps, options.kubeApiBurst], [20, 40]);
  assert.equal(parseOperatorOptions([], { SPARKOP_KUBE_API_QPS: '2.5' }).options.kubeApiQps, 2.5);
  assert.throws(() => parseOperatorOptions(['--kube-api-burst=0']), /--kube-api-burst: "0" is not an integer from 1/);
  const help = operatorFlagsHelp();
  assert.match(help, /0 or negative: no limit/);
});

test('flags win over environment variables, which win over defaults', () => {
  const env = { SPARKOP_CONTROLLER_THREADS: '4', SPARKOP_NAMESPACES: 'a, b', SPARKOP_LOG_LEVEL: 'debug' };
  const { options } = parseOperatorOptions(['--controller-threads=8', '--leader-election'], env);
  assert.equal(options.controllerThreads, 8);
  assert.deepEqual(options.namespaces, ['a', 'b']);
  assert.equal(options.logLevel, 'debug');
  assert.equal(options.leaderElection, true);
});

test('values parse by type: durations, lists, JSON, booleans, aliases', () => {
  const { options, rest } = parseOperatorOptions([
    '--leader-election-lease-duration',
    '1m30s',
    '--ingress-tls=[{"hosts":["*.example.com"],"secretName":"tls"}]',
    '--ingress-annotations={"a":"b"}',
    '--no-enable-ui-service',
    '--zap-log-level=warn',
    '--zap-encoder',
    'pretty',
    '--metrics-job-start-latency-buckets=1,2.5',
    'extra',
  ]);
  assert.equal(options.leaderElectionLeaseDuration, 90_000);
  assert.deepEqual(options.ingressTls, [{ hosts: ['*.example.com'], secretName: 'tls' }]);
  assert.deepEqual(options.ingressAnnotations, { a: 'b' });
  assert.equal(options.enableUiService, false);
  assert.equal(options.logLevel, 'warn');
  assert.equal(options.logFormat, 'pretty');
  assert.deepEqual(options.metricsJobStartLatencyBuckets, [1, 2.5]);
  assert.deepEqual(rest, ['extra']);
});

test('bad input gets an error naming the flag and what it expects', () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['--controller-threads=zero'], {}, /--controller-threads: "zero" is not an integer from 1 to 1000/],
    [['--controller-threads=0'], {}, /an integer from 1 to 1000/],
    [['--cache-sync-timeout=soon'], {}, /--cache-sync-timeout: "soon" is not a duration/],
    [['--ingress-tls=[{'], {}, /--ingress-tls: not valid JSON/],
    [['--ingress-tls={"hosts":"x"}'], {}, /a JSON list of \{hosts, secretName\}/],
    [['--log-level=loud'], {}, /one of debug, info, warn, error/],
    [['--metrics-bind-address=8080'], {}, /an address such as :8080/],
    [['--controler-threads=3'], {}, /unknown flag --controler-threads \(did you mean --controller-threads\?\)/],
    [['--namespaces'], {}, /--namespaces needs a value/],
    [[], { SPARKOP_KUBE_API_QPS: 'fast' }, /SPARKOP_KUBE_API_QPS: "fast" is not a number/],
  ];
  for (const [argv, env, message] of cases) {
    assert.throws(
      () => parseOperatorOptions(argv, env),
      (err: unknown) => {
        assert.ok(err instanceof OptionError, `${argv.join(' ')} throws an OptionError`);
        assert.match(err.message, message);
        return true;
      },
    );
  }
});

test('durations follow Go syntax; a bare number is seconds', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1h2m3s'), 3_723_000);
  assert.equal(parseDuration('2'), 2000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('10 s'), undefined);
  assert.equal(parseDuration('-1s'), undefined);
});

test('help lists every flag once with its environment variable', () => {
  const help = operatorFlagsHelp();
  for (const f of OPERATOR_FLAGS) {
    assert.equal(help.split(`  --${f.name}\n`).length, 2, f.name);
    assert.ok(help.includes(envName(f.name)));
  }
});
