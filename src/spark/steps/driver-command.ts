// Driver command step (Spark's DriverCommandFeatureStep): the container's arguments for the image's entrypoint and
// spark.kubernetes.resource.type.
import type { DriverConf } from '../driver-conf.ts';
import { addProperties, type DriverBuild, type DriverStep } from './step.ts';

export const PROPERTIES_FILE = '/opt/spark/conf/spark.properties';

function apply(build: DriverBuild, conf: DriverConf): DriverBuild {
  const args = [
    'driver',
    ...(conf.proxyUser ? ['--proxy-user', conf.proxyUser] : []),
    '--properties-file',
    PROPERTIES_FILE,
    '--class',
    conf.mainClass,
    conf.primaryResource,
    ...conf.appArgs,
  ];
  const container = { ...build.pod.container, args };
  return addProperties(
    { ...build, pod: { ...build.pod, container } },
    { 'spark.kubernetes.resource.type': conf.resourceType },
  );
}

export const driverCommandStep: DriverStep = { name: 'driver-command', apply };
