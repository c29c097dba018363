import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { SparkConfError } from '../../src/spark/quantities.ts';
import { sparkSubmitArgs, sparkVersionBelow3, submitRequest } from '../../src/spark/submit-request.ts';
import { SETTINGS, sparkPi } from './spark-fixtures.ts';

const confOf = (app: ReturnType<typeof sparkPi>) => Object.fromEntries(submitRequest(app, SETTINGS).conf);

describe('kubeflow translation to a spark-submit request', () => {
  test('sets the operator labels, pod name, images and resources', () => {
    const conf = confOf(sparkPi({ driver: { cores: 2, coreLimit: '2500m', memory: '1g', serviceAccount: 'spark' } }));
    assert.equal(conf['spark.kubernetes.driver.label.sparkoperator.k8s.io/app-name'], 'spark-pi');
    assert.equal(conf['spark.kubernetes.executor.label.sparkoperator.k8s.io/submission-id'], 'sub-1');
    assert.equal(conf['spark.kubernetes.driver.pod.name'], 'spark-pi-driver');
    assert.equal(conf['spark.kubernetes.driver.container.image'], 'apache/spark:3.5.8');
    assert.equal(conf['spark.driver.cores'], '2');
    assert.equal(conf['spark.kubernetes.driver.limit.cores'], '2500m');
    assert.equal(conf['spark.kubernetes.authenticate.driver.serviceAccountName'], 'spark');
    assert.equal(conf['spark.kubernetes.submission.waitAppCompletion'], 'false');
  });
  test('dynamic allocation turns shuffle tracking on unless told otherwise', () => {
    const conf = confOf(sparkPi({ dynamicAllocation: { enabled: true, maxExecutors: 5 } }));
    assert.equal(conf['spark.dynamicAllocation.shuffleTracking.enabled'], 'true');
    assert.equal(conf['spark.dynamicAllocation.maxExecutors'], '5');
    assert.equal(confOf(sparkPi())['spark.dynamicAllocation.enabled'], undefined);
  });
  test('spark-local-dir-* volumes become Spark volume properties; others go to the pod template', () => {
    const app = sparkPi({
      volumes: [
        { name: 'spark-local-dir-1', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } },
        { name: 'data', persistentVolumeClaim: { claimName: 'c' } },
      ],
      driver: {
        volumeMounts: [
          { name: 'spark-local-dir-1', mountPath: '/tmp/x' },
          { name: 'data', mountPath: '/data' },
        ],
      },
    });
    const request = submitRequest(app, SETTINGS);
    const conf = Object.fromEntries(request.conf);
    assert.equal(conf['spark.kubernetes.driver.volumes.emptyDir.spark-local-dir-1.mount.path'], '/tmp/x');
    assert.equal(conf['spark.kubernetes.driver.volumes.emptyDir.spark-local-dir-1.options.sizeLimit'], '1Gi');
    const template = parse(request.driverTemplate!.yaml);
    assert.deepEqual(template.spec.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'c' } }]);
    assert.deepEqual(template.spec.containers[0].volumeMounts, [{ name: 'data', mountPath: '/data' }]);
  });
  test('what spark-submit cannot express lands in the templates, nothing else', () => {
    const request = submitRequest(
      sparkPi({
        executor: {
          tolerations: [{ key: 'k', operator: 'Exists' }],
          securityContext: { runAsUser: 185 },
          sidecars: [{ name: 'side', image: 'busybox' }],
        },
      }),
      SETTINGS,
    );
    const spec = request.executorTemplate!.pod.spec!;
    assert.deepEqual(spec.tolerations, [{ key: 'k', operator: 'Exists' }]);
    assert.deepEqual(
      spec.containers.map((c) => c.name),
      ['spark-kubernetes-executor', 'side'],
    );
    assert.equal('enableServiceLinks' in spec, false, 'service links as spark-submit leaves them (on)');
    assert.equal(request.driverTemplate, undefined, 'the driver needs no template: spark-submit starts from nothing');
  });
  test("enableServiceLinks is the application template's, as with kubeflow and spark-submit", () => {
    const plain = submitRequest(sparkPi(), SETTINGS);
    assert.deepEqual([plain.driverTemplate, plain.executorTemplate], [undefined, undefined]);
    const off = submitRequest(
      sparkPi({ executor: { template: { spec: { enableServiceLinks: false, containers: [] } } } }),
      SETTINGS,
    );
    assert.equal(off.executorTemplate!.pod.spec!.enableServiceLinks, false);
    assert.equal(off.driverTemplate, undefined);
  });
  test("the mutated-by label follows kubeflow's rule: a role without its own template (or Spark < 3) carries it", () => {
    const label = (role: string) => `spark.kubernetes.${role}.label.sparkoperator.k8s.io/mutated-by-spark-operator`;
    const plain = confOf(sparkPi());
    assert.deepEqual([plain[label('driver')], plain[label('executor')]], ['true', 'true']);
    const template = { spec: { containers: [] } };
    const own = confOf(sparkPi({ executor: { template } }));
    assert.deepEqual([own[label('driver')], own[label('executor')]], ['true', undefined]);
    const old = confOf(sparkPi({ sparkVersion: '2.4.8', driver: { template }, executor: { template } }));
    assert.deepEqual([old[label('driver')], old[label('executor')]], ['true', 'true']);
    // In kubeflow's order: app-name, launched-by, mutated-by, submission-id.
    const keys = submitRequest(sparkPi(), SETTINGS)
      .conf.map(([k]) => k)
      .filter((k) => k.startsWith('spark.kubernetes.driver.label.sparkoperator.k8s.io/'));
    assert.deepEqual(
      keys.map((k) => k.slice('spark.kubernetes.driver.label.sparkoperator.k8s.io/'.length)),
      ['app-name', 'launched-by-spark-operator', 'mutated-by-spark-operator', 'submission-id'],
    );
  });
  test('the executor template has no owner: executors belong to their driver only (kubeflow #2961, #3152)', () => {
    const app = sparkPi({ executor: { instances: 1, tolerations: [{ key: 'k', operator: 'Exists' }] } });
    const request = submitRequest(app, SETTINGS);
    assert.equal(request.executorTemplate!.pod.metadata?.ownerReferences, undefined);
    assert.doesNotMatch(request.executorTemplate!.yaml, /ownerReferences/);
  });
  test('sparkVersionBelow3 reads versions as golang.org/x/mod/semver does (an invalid one is lower)', () => {
    for (const v of ['3.0.0', '3.5.8', '4.1.1', 'v3.5', '3']) assert.equal(sparkVersionBelow3(v), false, v);
    for (const v of ['2.4.8', '3.0.0-preview2', 'latest', '', undefined]) assert.equal(sparkVersionBelow3(v), true, v);
  });
  test('the template yaml is deterministic (sorted keys)', () => {
    const a = submitRequest(
      sparkPi({ executor: { labels: { b: '1', a: '2' }, securityContext: { runAsUser: 1, privileged: false } } }),
      SETTINGS,
    );
    assert.equal(
      a.executorTemplate!.yaml,
      submitRequest(sparkPi({ executor: { securityContext: { privileged: false, runAsUser: 1 } } }), SETTINGS)
        .executorTemplate!.yaml,
    );
  });
  test('builds the command line in kubeflow order', () => {
    const args = sparkSubmitArgs(
      submitRequest(sparkPi({ arguments: ['10'], deps: { jars: ['local:///a.jar', 'local:///b.jar'] } }), SETTINGS),
      'k8s://https://h:6443',
    );
    assert.deepEqual(args.slice(0, 8), [
      '--master',
      'k8s://https://h:6443',
      '--deploy-mode',
      'cluster',
      '--class',
      'org.apache.spark.examples.SparkPi',
      '--name',
      'spark-pi',
    ]);
    assert.deepEqual(args.slice(8, 10), ['--jars', 'local:///a.jar,local:///b.jar']);
    assert.deepEqual(args.slice(-2), ['local:///opt/spark/examples/jars/spark-examples.jar', '10']);
  });
  test('bad input is an error naming the field', () => {
    const fails = (app: ReturnType<typeof sparkPi>, field: string) =>
      assert.throws(
        () => submitRequest(app, SETTINGS),
        (e: unknown) => e instanceof SparkConfError && e.field === field,
      );
    fails(sparkPi({ mainClass: undefined }), 'spec.mainClass');
    fails(sparkPi({ mode: 'client' }), 'spec.mode');
    fails(sparkPi({ driver: { volumeMounts: [{ name: 'nope', mountPath: '/x' }] } }), 'spec.driver.volumeMounts[0]');
    fails(sparkPi({ hadoopConfigMap: 'hc' }), 'spec.hadoopConfigMap');
    fails(sparkPi({}, 'x'.repeat(64)), 'metadata.name');
  });
});
