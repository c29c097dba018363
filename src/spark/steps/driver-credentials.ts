// Credentials step (Spark's DriverKubernetesCredentialsFeatureStep): the driver's service account, unless the pod
// template already names one.
import type { DriverConf } from '../driver-conf.ts';
import type { DriverBuild, DriverStep } from './step.ts';

function apply(build: DriverBuild, conf: DriverConf): DriverBuild {
  const spec = build.pod.pod.spec;
  if (!conf.serviceAccount || spec?.serviceAccountName || spec?.serviceAccount) return build;
  const pod = {
    ...build.pod.pod,
    spec: { containers: [], ...spec, serviceAccount: conf.serviceAccount, serviceAccountName: conf.serviceAccount },
  };
  return { ...build, pod: { ...build.pod, pod } };
}

export const driverCredentialsStep: DriverStep = { name: 'driver-credentials', apply };
