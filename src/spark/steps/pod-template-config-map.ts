// Pod template ConfigMap step (Spark's PodTemplateConfigMapStep): with an executor pod template, ship it to the
// driver in a ConfigMap mounted at /opt/spark/pod-template and point spark.kubernetes.executor.podTemplateFile at it.
import type { DriverConf } from '../driver-conf.ts';
import { addProperties, addResources, addVolumes, type DriverBuild, type DriverStep } from './step.ts';

export const POD_TEMPLATE_DIR = '/opt/spark/pod-template';
export const POD_TEMPLATE_FILE = 'pod-spec-template.yml';
const KEY = 'podspec-configmap-key';
const VOLUME = 'pod-template-volume';

function apply(build: DriverBuild, conf: DriverConf): DriverBuild {
  if (!conf.executorTemplate) return build;
  const name = `${conf.resourceNamePrefix}-driver-podspec-conf-map`;
  const withVolume = addVolumes(
    build,
    [{ name: VOLUME, configMap: { name, items: [{ key: KEY, path: POD_TEMPLATE_FILE }] } }],
    [{ name: VOLUME, mountPath: POD_TEMPLATE_DIR }],
  );
  return addResources(
    addProperties(withVolume, {
      'spark.kubernetes.executor.podTemplateFile': `${POD_TEMPLATE_DIR}/${POD_TEMPLATE_FILE}`,
    }),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: conf.namespace },
      immutable: true,
      data: { [KEY]: conf.executorTemplate.yaml },
    },
  );
}

export const podTemplateConfigMapStep: DriverStep = { name: 'pod-template-config-map', apply };
