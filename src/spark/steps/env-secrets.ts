// Env secrets step (Spark's EnvSecretsFeatureStep): spark.kubernetes.driver.secretKeyRef.ENV=secret:key.
import type { DriverConf } from '../driver-conf.ts';
import { addEnv, type DriverBuild, type DriverStep } from './step.ts';

function apply(build: DriverBuild, conf: DriverConf): DriverBuild {
  if (conf.secretEnvs.length === 0) return build;
  return addEnv(
    build,
    ...conf.secretEnvs.map((s) => ({ name: s.env, valueFrom: { secretKeyRef: { name: s.secret, key: s.key } } })),
  );
}

export const envSecretsStep: DriverStep = { name: 'env-secrets', apply };
