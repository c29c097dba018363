// Basic driver step (Spark's BasicDriverFeatureStep): name, image, ports, core env, CPU and memory, labels,
// annotations, node selectors, pull secrets, scheduler; writes back the pod name, app id and overhead factor.
import type { V1ContainerPort } from '@kubernetes/client-node';
import type { DriverConf } from '../driver-conf.ts';
import { DRIVER_CONTAINER_NAME } from '../submit-request.ts';
import { addProperties, type DriverBuild, type DriverStep } from './step.ts';

/** Scala's Double.toString for the factors Spark writes back ("0.1", "1.0"). */
export function scalaDouble(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

/** Spark 4.1 added a Spark Connect port to the driver container and Service. */
export function hasConnectPort(conf: DriverConf): boolean {
  const [major = 0, minor = 0] = conf.sparkVersion.split('.').map((p) => Number.parseInt(p, 10));
  return major > 4 || (major === 4 && minor >= 1);
}

export function driverPorts(conf: DriverConf): V1ContainerPort[] {
  const ports: V1ContainerPort[] = [
    { name: 'driver-rpc-port', containerPort: conf.driverPort, protocol: 'TCP' },
    { name: 'blockmanager', containerPort: conf.blockManagerPort, protocol: 'TCP' },
    { name: 'spark-ui', containerPort: conf.uiPort, protocol: 'TCP' },
  ];
  if (hasConnectPort(conf)) ports.push({ name: 'spark-connect', containerPort: 15002, protocol: 'TCP' });
  return ports;
}

function apply(build: DriverBuild, conf: DriverConf): DriverBuild {
  const memory = `${conf.memoryMiB + conf.memoryOverheadMiB}Mi`;
  const old = build.pod.container;
  const container = {
    ...old,
    name: old.name ?? DRIVER_CONTAINER_NAME,
    image: conf.image,
    imagePullPolicy: conf.imagePullPolicy,
    ports: [...(old.ports ?? []), ...driverPorts(conf)],
    env: [
      ...(old.env ?? []),
      { name: 'SPARK_USER', value: conf.sparkUser },
      { name: 'SPARK_APPLICATION_ID', value: conf.ids.appId },
      ...conf.driverEnv.map(([name, value]) => ({ name, value })),
      { name: 'SPARK_DRIVER_BIND_ADDRESS', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
    ],
    resources: {
      ...old.resources,
      requests: { ...old.resources?.requests, cpu: conf.cpuRequest, memory },
      limits: { ...old.resources?.limits, ...(conf.cpuLimit ? { cpu: conf.cpuLimit } : {}), memory },
    },
  };
  const pod = build.pod.pod;
  const spec = pod.spec ?? { containers: [] };
  const nodeSelector = { ...spec.nodeSelector, ...conf.nodeSelector };
  const pullSecrets = [...(spec.imagePullSecrets ?? []), ...conf.imagePullSecrets.map((name) => ({ name }))];
  const annotations = Object.fromEntries(
    Object.entries(conf.annotations).map(([k, v]) => [k, v.replaceAll('{{APP_ID}}', conf.ids.appId)]),
  );
  const newPod = {
    ...pod,
    metadata: {
      ...pod.metadata,
      name: conf.podName,
      labels: { ...pod.metadata?.labels, ...conf.labels },
      ...(Object.keys(annotations).length > 0 || pod.metadata?.annotations
        ? { annotations: { ...pod.metadata?.annotations, ...annotations } }
        : {}),
    },
    spec: {
      ...spec,
      restartPolicy: 'Never',
      ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
      ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets } : {}),
      ...(conf.schedulerName ? { schedulerName: conf.schedulerName } : {}),
    },
  };
  return addProperties(
    { ...build, pod: { pod: newPod, container } },
    {
      'spark.kubernetes.driver.pod.name': conf.podName,
      'spark.app.id': conf.ids.appId,
      'spark.kubernetes.submitInDriver': 'true',
      'spark.kubernetes.memoryOverheadFactor': scalaDouble(conf.defaultOverheadFactor),
    },
  );
}

export const basicDriverStep: DriverStep = { name: 'basic-driver', apply };
