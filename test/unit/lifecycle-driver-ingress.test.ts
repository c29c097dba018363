// spec.driverIngressOptions: decide() asks for a Service (and Ingress) per entry for the current run's driver pod,
// and the builders turn such an action into the objects kubeflow would create.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Action,
  type DecideInput,
  decide,
  type EnsureDriverIngress,
  observationTargets,
  type PodSummary,
  type SparkApplication,
  SUBMISSION_ID_LABEL,
} from '../../src/spark/lifecycle/index.ts';
import { driverIngress, driverIngressService } from '../../src/spark/objects/driver-ingress.ts';
import { driverPod, input, makeApp, reasons, withState } from './lifecycle-helpers.ts';

type Entry = NonNullable<SparkApplication['spec']['driverIngressOptions']>[number];

const CONNECT: Entry = {
  servicePort: 15002,
  servicePortName: 'spark-connect',
  serviceType: 'NodePort',
  serviceLabels: { team: 'data', 'sparkoperator.k8s.io/app-name': 'spoofed' },
  serviceAnnotations: { 'svc.example.com/a': '1' },
  ingressURLFormat: '{{$appName}}-connect.{{$appNamespace}}.example.com',
  ingressAnnotations: { 'ing.example.com/b': '2' },
  ingressTLS: [{ hosts: ['pi-connect.ns.example.com'], secretName: 'connect-tls' }],
};
const JUPYTER: Entry = {
  servicePort: 8888,
  servicePortName: '',
  ingressURLFormat: 'example.com/{{ $appNamespace }}/{{$appId}}/jupyter',
};

function running(entries: Entry[], patch: Parameters<typeof withState>[2] = {}): SparkApplication {
  return withState(makeApp({ driverIngressOptions: entries }), 'RUNNING', patch);
}

const POD = driverPod('Running', { submissionID: 'sub-1', uid: 'pod-uid-1' });

function ensures(rest: Partial<DecideInput> & { app: SparkApplication }): EnsureDriverIngress[] {
  return decide(input(rest.app, { driverPod: POD, ...rest })).actions.filter(
    (a: Action): a is EnsureDriverIngress => a.kind === 'EnsureDriverIngress',
  );
}

describe('driver ingress decisions', () => {
  test('one Service and Ingress per entry, for the current driver pod, named as kubeflow names them', () => {
    const app = running([CONNECT, JUPYTER]);
    const d = decide(input(app, { driverPod: POD }));
    const actions = d.actions.filter((a) => a.kind === 'EnsureDriverIngress');
    assert.deepEqual(actions, [
      {
        kind: 'EnsureDriverIngress',
        entry: 0,
        serviceName: 'pi-driver-15002',
        serviceType: 'NodePort',
        port: 15002,
        portName: 'spark-connect',
        ingressName: 'pi-ing-15002',
        url: 'pi-connect.ns.example.com',
        driverPodName: 'pi-driver',
        driverPodUID: 'pod-uid-1',
        submissionID: 'sub-1',
      },
      {
        kind: 'EnsureDriverIngress',
        entry: 1,
        serviceName: 'pi-driver-8888',
        serviceType: 'ClusterIP',
        port: 8888,
        portName: 'driver-ing-8888',
        ingressName: 'pi-ing-8888',
        // The Spark application id comes from the driver pod's spark-app-selector label.
        url: 'example.com/ns/spark-0123/jupyter',
        driverPodName: 'pi-driver',
        driverPodUID: 'pod-uid-1',
        submissionID: 'sub-1',
      },
    ]);
    // kubeflow records nothing of them: only the UI has driverInfo fields.
    assert.deepEqual(Object.keys(d.status.driverInfo ?? {}), ['podName']);
    assert.deepEqual(observationTargets(app).driverIngressServiceNames, ['pi-driver-15002', 'pi-driver-8888']);
  });

  test('SUBMITTED with the pod in the cache is enough; without it (or with another run’s pod) nothing yet', () => {
    const submitted = withState(makeApp({ driverIngressOptions: [CONNECT] }), 'SUBMITTED');
    const pending = driverPod('Pending', { submissionID: 'sub-1', uid: 'pod-uid-1' });
    assert.equal(ensures({ app: submitted, driverPod: pending }).length, 1);
    assert.equal(decide(input(submitted, { now: Date.UTC(2026, 0, 1, 12, 0, 1) })).actions.length, 1, 'hash only');
    const old = driverPod('Running', { submissionID: 'sub-0', uid: 'old' });
    assert.deepEqual(
      decide(input(submitted, { driverPod: old, now: Date.UTC(2026, 0, 1, 12, 0, 1) })).actions.map((a) => a.kind),
      ['RecordSpecHash'],
    );
  });

  test('done once the cache shows the Service of this submission; one of another run is replaced', () => {
    const app = running([CONNECT, JUPYTER]);
    const current = { name: 'pi-driver-15002', submissionID: 'sub-1' };
    assert.deepEqual(
      ensures({ app, driverIngressServices: [current] }).map((a) => a.serviceName),
      ['pi-driver-8888'],
    );
    const both = [current, { name: 'pi-driver-8888', submissionID: 'sub-1' }];
    assert.deepEqual(ensures({ app, driverIngressServices: both }), []);
    const stale = [current, { name: 'pi-driver-8888', submissionID: 'sub-0' }];
    assert.deepEqual(
      ensures({ app, driverIngressServices: stale }).map((a) => a.serviceName),
      ['pi-driver-8888'],
    );
    const going = [{ ...current, terminating: true }, both[1]!];
    assert.deepEqual(
      ensures({ app, driverIngressServices: going }).map((a) => a.serviceName),
      ['pi-driver-15002'],
    );
  });

  test('an ingress URL needing {{$appId}} waits for the id; the Service and Ingress come together', () => {
    const app = running([JUPYTER]);
    const anonymous: PodSummary = { ...POD, labels: { 'spark-role': 'driver', [SUBMISSION_ID_LABEL]: 'sub-1' } };
    assert.deepEqual(ensures({ app, driverPod: anonymous }), []);
    const known = running([JUPYTER], { sparkApplicationId: 'spark-77' });
    assert.equal(ensures({ app: known, driverPod: anonymous })[0]?.url, 'example.com/ns/spark-77/jupyter');
  });

  test('no ingressURLFormat: the Service alone', () => {
    const [only] = ensures({ app: running([{ servicePort: 7078, servicePortName: 'rpc' }]) });
    assert.equal(only?.serviceName, 'pi-driver-7078');
    assert.equal(only?.ingressName, undefined);
    assert.equal(only?.url, undefined);
  });

  test('a repeated servicePort: the first entry wins, with a warning; a bad port: a warning only', () => {
    const app = running([JUPYTER, { ...CONNECT, servicePort: 8888 }, { ...CONNECT, servicePort: 70000 }]);
    const d = decide(input(app, { driverPod: POD }));
    const actions = d.actions.filter((a) => a.kind === 'EnsureDriverIngress');
    assert.deepEqual(
      actions.map((a) => [a.entry, a.serviceName]),
      [[0, 'pi-driver-8888']],
    );
    assert.deepEqual(reasons(d), ['SparkApplicationDriverIngressInvalid', 'SparkApplicationDriverIngressInvalid']);
    assert.match(d.events[0]?.message ?? '', /\[1\] repeats servicePort 8888/);
    assert.match(d.events[1]?.message ?? '', /\[2\]\.servicePort 70000/);
  });

  test('nothing once the driver has finished', () => {
    for (const state of ['COMPLETED', 'FAILED', 'SUSPENDED']) {
      const app = withState(makeApp({ driverIngressOptions: [CONNECT] }), state);
      const pod = driverPod('Succeeded', { submissionID: 'sub-1', uid: 'pod-uid-1', exitCode: 0 });
      assert.deepEqual(ensures({ app, driverPod: pod }), [], state);
    }
  });

  test('a name too long for a Service is shortened by kubeflow’s hash rule', () => {
    const long = makeApp({ driverIngressOptions: [CONNECT] });
    long.metadata.name = 'a'.repeat(60);
    const [name] = observationTargets(long).driverIngressServiceNames;
    assert.ok(name && name.length <= 63 && name.endsWith('-driver-15002'), name);
  });
});

describe('driver ingress objects', () => {
  const app = running([CONNECT, JUPYTER]);
  const [connect, jupyter] = ensures({ app });

  test('the Service exposes the port of the driver pod it belongs to', () => {
    assert.ok(connect);
    const svc = driverIngressService(app, connect);
    assert.deepEqual(svc.metadata, {
      name: 'pi-driver-15002',
      namespace: 'ns',
      labels: {
        team: 'data',
        'sparkoperator.k8s.io/app-name': 'pi',
        'sparkoperator.k8s.io/launched-by-spark-operator': 'true',
        [SUBMISSION_ID_LABEL]: 'sub-1',
      },
      annotations: { 'svc.example.com/a': '1' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'pi-driver', uid: 'pod-uid-1', controller: true }],
    });
    assert.deepEqual(svc.spec, {
      type: 'NodePort',
      selector: { 'sparkoperator.k8s.io/app-name': 'pi', 'spark-role': 'driver' },
      ports: [{ name: 'spark-connect', port: 15002, targetPort: 15002, protocol: 'TCP' }],
    });
  });

  test('a host URL: one host rule on "/", the entry’s annotations and TLS, the operator’s class', () => {
    assert.ok(connect);
    const ing = driverIngress(app, connect, { ingressClassName: 'nginx' });
    assert.equal(ing.metadata?.name, 'pi-ing-15002');
    assert.deepEqual(ing.metadata?.annotations, { 'ing.example.com/b': '2' });
    assert.equal(ing.metadata?.labels?.[SUBMISSION_ID_LABEL], 'sub-1');
    assert.equal(ing.metadata?.ownerReferences?.[0]?.uid, 'pod-uid-1');
    assert.deepEqual(ing.spec, {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'pi-connect.ns.example.com',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'ImplementationSpecific',
                backend: { service: { name: 'pi-driver-15002', port: { number: 15002 } } },
              },
            ],
          },
        },
      ],
      tls: [{ hosts: ['pi-connect.ns.example.com'], secretName: 'connect-tls' }],
    });
  });

  test('a URL with a path: a capturing path and the rewrite to what follows it; no class unless configured', () => {
    assert.ok(jupyter);
    const ing = driverIngress(app, jupyter, { ingressClassName: '' });
    assert.deepEqual(ing.metadata?.annotations, { 'nginx.ingress.kubernetes.io/rewrite-target': '/$2' });
    assert.equal(ing.spec?.ingressClassName, undefined);
    assert.equal(ing.spec?.tls, undefined);
    const rule = ing.spec?.rules?.[0];
    assert.equal(rule?.host, 'example.com');
    assert.equal(rule?.http?.paths[0]?.path, '/ns/spark-0123/jupyter(/|$)(.*)');
    assert.equal(driverIngressService(app, jupyter).metadata?.annotations, undefined);
  });
});
