// The contract of a driver feature step (Spark's KubernetesFeatureConfigStep): configure the pod, add Spark
// properties, add resources. A step is pure: it returns a new DriverBuild and never changes the one it was given.
import type {
  V1ConfigMap,
  V1Container,
  V1EnvVar,
  V1Pod,
  V1Service,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import type { DriverConf } from '../driver-conf.ts';

/** The driver pod with its main container kept apart (Spark's SparkPod), so steps can edit it directly. */
export interface SparkPod {
  readonly pod: V1Pod;
  readonly container: V1Container;
}

export type DriverResource = V1Service | V1ConfigMap;

export interface DriverBuild {
  readonly pod: SparkPod;
  /** Spark properties the steps add for the driver (they override the submitted configuration). */
  readonly systemProperties: Readonly<Record<string, string>>;
  /** Objects to create with the driver pod as owner, in creation order. */
  readonly resources: readonly DriverResource[];
}

export interface DriverStep {
  readonly name: string;
  readonly apply: (build: DriverBuild, conf: DriverConf) => DriverBuild;
}

// Small immutable helpers shared by the steps.

export function addEnv(build: DriverBuild, ...env: V1EnvVar[]): DriverBuild {
  const container = { ...build.pod.container, env: [...(build.pod.container.env ?? []), ...env] };
  return { ...build, pod: { ...build.pod, container } };
}

export function addVolumes(build: DriverBuild, volumes: V1Volume[], mounts: V1VolumeMount[]): DriverBuild {
  const spec = build.pod.pod.spec ?? { containers: [] };
  const pod = { ...build.pod.pod, spec: { ...spec, volumes: [...(spec.volumes ?? []), ...volumes] } };
  const container = {
    ...build.pod.container,
    volumeMounts: [...(build.pod.container.volumeMounts ?? []), ...mounts],
  };
  return { ...build, pod: { pod, container } };
}

export function addProperties(build: DriverBuild, properties: Record<string, string>): DriverBuild {
  return { ...build, systemProperties: { ...build.systemProperties, ...properties } };
}

export function addResources(build: DriverBuild, ...resources: DriverResource[]): DriverBuild {
  return { ...build, resources: [...build.resources, ...resources] };
}
