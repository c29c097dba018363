// Mount volumes step (Spark's MountVolumesFeatureStep): spark.kubernetes.driver.volumes.<type>.<name>.*.
import type { V1Volume } from '@kubernetes/client-node';
import type { DriverConf, VolumeSpec } from '../driver-conf.ts';
import { SparkConfError } from '../quantities.ts';
import { addVolumes, type DriverBuild, type DriverStep } from './step.ts';

function volume(spec: VolumeSpec, sparkMajor: number): V1Volume {
  const o = spec.options;
  const field = (key: string): string => `spark.kubernetes.driver.volumes.${spec.type}.${spec.name}.options.${key}`;
  const need = (key: string): string => {
    const value = o[key];
    if (!value) throw new SparkConfError(field(key), 'is required');
    return value;
  };
  switch (spec.type) {
    case 'hostPath':
      // Spark 3.5 ignores options.type (always ""); Spark 4 passes it on.
      return { name: spec.name, hostPath: { path: need('path'), type: sparkMajor >= 4 ? (o.type ?? '') : '' } };
    case 'persistentVolumeClaim':
      return {
        name: spec.name,
        persistentVolumeClaim: { claimName: need('claimName'), readOnly: o.readOnly === 'true' },
      };
    case 'nfs':
      return { name: spec.name, nfs: { path: need('path'), server: need('server'), readOnly: o.readOnly === 'true' } };
    case 'emptyDir':
      return {
        name: spec.name,
        emptyDir: {
          ...(o.medium ? { medium: o.medium } : {}),
          ...(o.sizeLimit ? { sizeLimit: o.sizeLimit } : {}),
        },
      };
  }
}

function apply(build: DriverBuild, conf: DriverConf): DriverBuild {
  if (conf.volumes.length === 0) return build;
  return addVolumes(
    build,
    conf.volumes.map((v) => volume(v, conf.sparkMajor)),
    conf.volumes.map((v) => ({
      name: v.name,
      mountPath: v.mountPath,
      ...(v.subPath ? { subPath: v.subPath } : {}),
      ...(v.readOnly ? { readOnly: true } : {}),
    })),
  );
}

export const mountVolumesStep: DriverStep = { name: 'mount-volumes', apply };
