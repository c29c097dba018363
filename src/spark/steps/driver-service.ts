// Driver service step (Spark's DriverServiceFeatureStep): the headless Service executors reach the driver through;
// writes spark.driver.host and the two ports.
import type { V1Service } from '@kubernetes/client-node';
import type { DriverConf } from '../driver-conf.ts';
import { hasConnectPort } from './basic-driver.ts';
import { addProperties, addResources, type DriverBuild, type DriverStep } from './step.ts';

function apply(build: DriverBuild, conf: DriverConf): DriverBuild {
  const ports = [
    { name: 'driver-rpc-port', port: conf.driverPort, targetPort: conf.driverPort },
    { name: 'blockmanager', port: conf.serviceBlockManagerPort, targetPort: conf.serviceBlockManagerPort },
    { name: 'spark-ui', port: conf.uiPort, targetPort: conf.uiPort },
  ];
  if (hasConnectPort(conf)) ports.push({ name: 'spark-connect', port: 15002, targetPort: 15002 });
  const service: V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: conf.serviceName,
      namespace: conf.namespace,
      labels: { ...conf.serviceLabels, 'spark-app-selector': conf.ids.appId },
      ...(Object.keys(conf.serviceAnnotations).length > 0 ? { annotations: { ...conf.serviceAnnotations } } : {}),
    },
    spec: {
      clusterIP: 'None',
      selector: { ...conf.labels },
      ports: ports.map((p) => ({ ...p, protocol: 'TCP' })),
    },
  };
  return addResources(
    addProperties(build, {
      'spark.driver.host': `${conf.serviceName}.${conf.namespace}.svc`,
      'spark.driver.port': String(conf.driverPort),
      'spark.driver.blockManager.port': String(conf.serviceBlockManagerPort),
    }),
    service,
  );
}

export const driverServiceStep: DriverStep = { name: 'driver-service', apply };
