// Mount secrets step (Spark's MountSecretsFeatureStep): spark.kubernetes.driver.secrets.NAME=PATH mounts the
// Secret NAME at PATH as the volume NAME-volume.
import type { DriverConf } from '../driver-conf.ts';
import { addVolumes, type DriverBuild, type DriverStep } from './step.ts';

function apply(build: DriverBuild, conf: DriverConf): DriverBuild {
  if (conf.secretMounts.length === 0) return build;
  return addVolumes(
    build,
    conf.secretMounts.map((s) => ({ name: `${s.secret}-volume`, secret: { secretName: s.secret } })),
    conf.secretMounts.map((s) => ({ name: `${s.secret}-volume`, mountPath: s.path })),
  );
}

export const mountSecretsStep: DriverStep = { name: 'mount-secrets', apply };
