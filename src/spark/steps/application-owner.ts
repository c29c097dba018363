// sparkop's own step: the driver pod is owned by its SparkApplication (controller), so deleting the application
// deletes the driver and, through the driver's ownership, its Service and ConfigMaps. spark-submit cannot do this.
import type { DriverConf } from '../driver-conf.ts';
import type { DriverBuild, DriverStep } from './step.ts';

function apply(build: DriverBuild, conf: DriverConf): DriverBuild {
  const owner = conf.owner;
  if (!owner) return build;
  const metadata = {
    ...build.pod.pod.metadata,
    ownerReferences: [{ ...owner, controller: true, blockOwnerDeletion: true }],
  };
  return { ...build, pod: { ...build.pod, pod: { ...build.pod.pod, metadata } } };
}

export const applicationOwnerStep: DriverStep = { name: 'application-owner', apply };
