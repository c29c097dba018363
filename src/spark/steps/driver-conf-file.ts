// The driver's Spark configuration (what spark-submit's Client does after the steps): the immutable ConfigMap
// spark-drv-<id>-conf-map with spark.properties, mounted at /opt/spark/conf, and SPARK_CONF_DIR.
import type { DriverConf } from '../driver-conf.ts';
import { storeProperties } from '../properties.ts';
import { addEnv, addResources, addVolumes, type DriverBuild, type DriverStep } from './step.ts';

export const CONF_DIR = '/opt/spark/conf';
const VOLUME = 'spark-conf-volume-driver';

/**
 * Keys of the submitted configuration that native submission leaves out of spark.properties: the driver pod
 * template file is a file on the submitting machine, which native submission never writes (docs/conformance.md).
 */
export const NATIVE_OMITTED_PROPERTIES = ['spark.kubernetes.driver.podTemplateFile'] as const;

export function driverProperties(build: DriverBuild, conf: DriverConf): Record<string, string> {
  const properties: Record<string, string> = { ...conf.conf, ...build.systemProperties };
  for (const key of NATIVE_OMITTED_PROPERTIES) delete properties[key];
  return properties;
}

function apply(build: DriverBuild, conf: DriverConf): DriverBuild {
  const name = `spark-drv-${conf.ids.confMapId}-conf-map`;
  const properties = storeProperties(
    driverProperties(build, conf),
    `Java properties built from Kubernetes config map with name: ${name}`,
  );
  const withEnv = addEnv(build, { name: 'SPARK_CONF_DIR', value: CONF_DIR });
  const withVolume = addVolumes(
    withEnv,
    [
      {
        name: VOLUME,
        configMap: { name, items: [{ key: 'spark.properties', path: 'spark.properties', mode: 0o644 }] },
      },
    ],
    [{ name: VOLUME, mountPath: CONF_DIR }],
  );
  return addResources(withVolume, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: conf.namespace },
    immutable: true,
    // spark-submit also writes the namespace into the ConfigMap's data.
    data: { 'spark.kubernetes.namespace': conf.namespace, 'spark.properties': properties },
  });
}

export const driverConfFileStep: DriverStep = { name: 'driver-conf-file', apply };
