// One suite per driver feature step: each step alone on an empty build, with its feature off and on.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1ConfigMap, V1Container, V1Service } from '@kubernetes/client-node';
import { DRIVER_STEPS, runSteps } from '../../src/spark/builder.ts';
import { parseProperties } from '../../src/spark/properties.ts';
import { applicationOwnerStep } from '../../src/spark/steps/application-owner.ts';
import { basicDriverStep } from '../../src/spark/steps/basic-driver.ts';
import { driverCommandStep } from '../../src/spark/steps/driver-command.ts';
import { driverConfFileStep } from '../../src/spark/steps/driver-conf-file.ts';
import { driverCredentialsStep } from '../../src/spark/steps/driver-credentials.ts';
import { driverServiceStep } from '../../src/spark/steps/driver-service.ts';
import { envSecretsStep } from '../../src/spark/steps/env-secrets.ts';
import { localDirsStep } from '../../src/spark/steps/local-dirs.ts';
import { mountSecretsStep } from '../../src/spark/steps/mount-secrets.ts';
import { mountVolumesStep } from '../../src/spark/steps/mount-volumes.ts';
import { podTemplateConfigMapStep } from '../../src/spark/steps/pod-template-config-map.ts';
import type { DriverBuild, DriverStep } from '../../src/spark/steps/step.ts';
import { driverConf, sparkPi } from './spark-fixtures.ts';

const EMPTY: DriverBuild = {
  pod: { pod: { metadata: {}, spec: { containers: [] } }, container: {} as V1Container },
  systemProperties: {},
  resources: [],
};
const run = (step: DriverStep, app = sparkPi(), build = EMPTY) => {
  const frozen = structuredClone(build);
  const out = step.apply(build, driverConf(app));
  assert.deepEqual(build, frozen, `${step.name} changed its input`);
  return out;
};

describe('basic driver step', () => {
  test('image, ports, env, resources, labels and conf', () => {
    const out = run(
      basicDriverStep,
      sparkPi({ driver: { memory: '1g', coreLimit: '2', envVars: { B: '2', A: '1' } } }),
    );
    const c = out.pod.container;
    assert.equal(c.name, 'spark-kubernetes-driver');
    assert.deepEqual(
      c.ports?.map((p) => p.containerPort),
      [7078, 7079, 4040],
    );
    assert.deepEqual(
      c.env?.map((e) => e.name),
      ['SPARK_USER', 'SPARK_APPLICATION_ID', 'A', 'B', 'SPARK_DRIVER_BIND_ADDRESS'],
    );
    assert.deepEqual(c.resources, { requests: { cpu: '1', memory: '1408Mi' }, limits: { cpu: '2', memory: '1408Mi' } });
    assert.equal(out.pod.pod.metadata?.labels?.['spark-role'], 'driver');
    assert.equal(out.pod.pod.spec?.restartPolicy, 'Never');
    assert.equal(out.systemProperties['spark.kubernetes.memoryOverheadFactor'], '0.1');
    assert.equal(out.systemProperties['spark.kubernetes.submitInDriver'], 'true');
  });
  test('Spark 4.1 adds the Spark Connect port', () => {
    const out = run(basicDriverStep, sparkPi({ sparkVersion: '4.1.1' }));
    assert.deepEqual(
      out.pod.container.ports?.map((p) => p.name),
      ['driver-rpc-port', 'blockmanager', 'spark-ui', 'spark-connect'],
    );
  });
});

describe('driver credentials step', () => {
  test('sets the service account only when configured and not in the template', () => {
    assert.equal(run(driverCredentialsStep).pod.pod.spec?.serviceAccountName, undefined);
    assert.equal(
      run(driverCredentialsStep, sparkPi({ driver: { serviceAccount: 'spark' } })).pod.pod.spec?.serviceAccountName,
      'spark',
    );
    const templated = { ...EMPTY, pod: { ...EMPTY.pod, pod: { spec: { containers: [], serviceAccountName: 'own' } } } };
    assert.equal(
      run(driverCredentialsStep, sparkPi({ driver: { serviceAccount: 'spark' } }), templated).pod.pod.spec
        ?.serviceAccountName,
      'own',
    );
  });
});

describe('driver service step', () => {
  test('a headless Service selecting the driver, and spark.driver.host', () => {
    const out = run(driverServiceStep, sparkPi({ driver: { serviceLabels: { x: 'y' } } }));
    const svc = out.resources[0] as V1Service;
    assert.equal(svc.spec?.clusterIP, 'None');
    assert.equal(svc.spec?.selector?.['spark-role'], 'driver');
    assert.equal(svc.metadata?.labels?.x, 'y');
    assert.equal(out.systemProperties['spark.driver.host'], `${svc.metadata?.name}.team-a.svc`);
  });
});

describe('mount secrets step', () => {
  test('nothing without secrets; NAME-volume mounted at PATH with', () => {
    assert.deepEqual(run(mountSecretsStep), EMPTY);
    const out = run(
      mountSecretsStep,
      sparkPi({ driver: { secrets: [{ name: 's', path: '/p', secretType: 'Generic' }] } }),
    );
    assert.deepEqual(out.pod.pod.spec?.volumes, [{ name: 's-volume', secret: { secretName: 's' } }]);
    assert.deepEqual(out.pod.container.volumeMounts, [{ name: 's-volume', mountPath: '/p' }]);
  });
});

describe('env secrets step', () => {
  test('secretKeyRef env vars', () => {
    assert.deepEqual(run(envSecretsStep), EMPTY);
    const out = run(envSecretsStep, sparkPi({ driver: { envSecretKeyRefs: { PW: { name: 'db', key: 'pw' } } } }));
    assert.deepEqual(out.pod.container.env, [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'pw' } } }]);
  });
});

describe('mount volumes step', () => {
  test('hostPath type only from Spark 4 on', () => {
    assert.deepEqual(run(mountVolumesStep), EMPTY);
    const app = (v: string) =>
      sparkPi({
        sparkVersion: v,
        volumes: [{ name: 'spark-local-dir-h', hostPath: { path: '/mnt', type: 'Directory' } }],
        driver: { volumeMounts: [{ name: 'spark-local-dir-h', mountPath: '/h', readOnly: true }] },
      });
    assert.deepEqual(run(mountVolumesStep, app('3.5.8')).pod.pod.spec?.volumes, [
      { name: 'spark-local-dir-h', hostPath: { path: '/mnt', type: '' } },
    ]);
    assert.deepEqual(run(mountVolumesStep, app('4.0.0')).pod.pod.spec?.volumes, [
      { name: 'spark-local-dir-h', hostPath: { path: '/mnt', type: 'Directory' } },
    ]);
    assert.deepEqual(run(mountVolumesStep, app('4.0.0')).pod.container.volumeMounts, [
      { name: 'spark-local-dir-h', mountPath: '/h', readOnly: true },
    ]);
  });
});

describe('driver command step', () => {
  test('driver args and resource type; Python apps run PythonRunner', () => {
    const out = run(driverCommandStep, sparkPi({ arguments: ['5'], proxyUser: 'bob' }));
    assert.deepEqual(out.pod.container.args, [
      'driver',
      '--proxy-user',
      'bob',
      '--properties-file',
      '/opt/spark/conf/spark.properties',
      '--class',
      'org.apache.spark.examples.SparkPi',
      'local:///opt/spark/examples/jars/spark-examples.jar',
      '5',
    ]);
    const py = run(
      driverCommandStep,
      sparkPi({ type: 'Python', mainClass: undefined, mainApplicationFile: 'local:///a.py' }),
    );
    assert.equal(py.pod.container.args?.[4], 'org.apache.spark.deploy.PythonRunner');
    assert.equal(py.systemProperties['spark.kubernetes.resource.type'], 'python');
  });
});

describe('pod template config map step', () => {
  test('the executor template ConfigMap, mounted, and podTemplateFile pointing into it', () => {
    const out = run(podTemplateConfigMapStep, sparkPi({ executor: { tolerations: [{ operator: 'Exists' }] } }));
    const cm = out.resources[0] as V1ConfigMap;
    assert.match(cm.metadata?.name ?? '', /^spark-pi-[0-9a-f]{16}-driver-podspec-conf-map$/);
    assert.match(cm.data?.['podspec-configmap-key'] ?? '', /tolerations/);
    assert.equal(
      out.systemProperties['spark.kubernetes.executor.podTemplateFile'],
      '/opt/spark/pod-template/pod-spec-template.yml',
    );
  });
  test('nothing without an executor template', () => {
    assert.deepEqual(
      run(podTemplateConfigMapStep, sparkPi(), EMPTY).resources.length,
      driverConf(sparkPi()).executorTemplate ? 1 : 0,
    );
  });
});

describe('local dirs step', () => {
  test('one emptyDir under /var/data, tmpfs on request; existing spark-local-dir mounts used as they are', () => {
    const out = run(localDirsStep);
    assert.match(out.pod.container.volumeMounts?.[0]?.mountPath ?? '', /^\/var\/data\/spark-[0-9a-f-]{36}$/);
    assert.deepEqual(out.pod.pod.spec?.volumes, [{ name: 'spark-local-dir-1', emptyDir: {} }]);
    const tmpfs = run(localDirsStep, sparkPi({ sparkConf: { 'spark.kubernetes.local.dirs.tmpfs': 'true' } }));
    assert.deepEqual(tmpfs.pod.pod.spec?.volumes, [{ name: 'spark-local-dir-1', emptyDir: { medium: 'Memory' } }]);
    const existing = {
      ...EMPTY,
      pod: { ...EMPTY.pod, container: { name: 'c', volumeMounts: [{ name: 'spark-local-dir-x', mountPath: '/x' }] } },
    };
    assert.deepEqual(run(localDirsStep, sparkPi(), existing).pod.container.env, [
      { name: 'SPARK_LOCAL_DIRS', value: '/x' },
    ]);
  });
});

describe('driver conf file step', () => {
  test('spark.properties holds the submitted conf plus the steps’ properties, without the driver template path', () => {
    const built = { ...EMPTY, systemProperties: { 'spark.app.id': 'spark-x' } };
    const out = run(driverConfFileStep, sparkPi({ driver: { securityContext: { runAsUser: 1 } } }), built);
    const cm = out.resources[0] as V1ConfigMap;
    assert.equal(cm.immutable, true);
    const props = parseProperties(cm.data?.['spark.properties'] ?? '');
    assert.equal(props['spark.app.id'], 'spark-x');
    assert.equal(props['spark.app.name'], 'spark-pi');
    assert.equal(props['spark.kubernetes.driver.podTemplateFile'], undefined);
    assert.deepEqual(out.pod.container.env, [{ name: 'SPARK_CONF_DIR', value: '/opt/spark/conf' }]);
  });
});

describe('application owner step', () => {
  test('the SparkApplication owns the driver pod', () => {
    const out = run(applicationOwnerStep);
    assert.deepEqual(out.pod.pod.metadata?.ownerReferences, undefined);
    const conf = {
      ...driverConf(sparkPi()),
      owner: { apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', name: 'spark-pi', uid: 'u' },
    };
    const owned = applicationOwnerStep.apply(EMPTY, conf);
    assert.deepEqual(owned.pod.pod.metadata?.ownerReferences, [
      { ...conf.owner, controller: true, blockOwnerDeletion: true },
    ]);
  });
});

describe('the pipeline', () => {
  test('every step is always in the list, and the build is deterministic', () => {
    assert.equal(new Set(DRIVER_STEPS.map((s) => s.name)).size, DRIVER_STEPS.length);
    assert.deepEqual(runSteps(driverConf(sparkPi())), runSteps(driverConf(sparkPi())));
  });
});
