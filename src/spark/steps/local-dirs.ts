// Local dirs step (Spark's LocalDirsFeatureStep): scratch space for the driver. Volumes named spark-local-dir-*
// that the pod already has are used as they are; otherwise one emptyDir (tmpfs with spark.kubernetes.local.dirs.tmpfs).
import type { DriverConf } from '../driver-conf.ts';
import { addEnv, addVolumes, type DriverBuild, type DriverStep } from './step.ts';

const PREFIX = 'spark-local-dir-';

function apply(build: DriverBuild, conf: DriverConf): DriverBuild {
  const existing = (build.pod.container.volumeMounts ?? []).filter((m) => m.name.startsWith(PREFIX));
  if (existing.length > 0) {
    return addEnv(build, { name: 'SPARK_LOCAL_DIRS', value: existing.map((m) => m.mountPath).join(',') });
  }
  const dir = `/var/data/spark-${conf.ids.localDirId}`;
  const withVolume = addVolumes(
    build,
    [{ name: `${PREFIX}1`, emptyDir: conf.localDirsTmpfs ? { medium: 'Memory' } : {} }],
    [{ name: `${PREFIX}1`, mountPath: dir }],
  );
  return addEnv(withVolume, { name: 'SPARK_LOCAL_DIRS', value: dir });
}

export const localDirsStep: DriverStep = { name: 'local-dirs', apply };
