// The one spark-pi SparkApplication of the tests and benches (Spark's own example: SparkPi from the examples jar).
// Each user overrides what it needs (name, namespace, image, resources, restart policy…) instead of keeping a copy.
import type { SparkApplication } from '../src/api/index.ts';

export interface SparkPiOptions {
  readonly namespace?: string;
  readonly uid?: string;
  readonly annotations?: Record<string, string>;
  /** Merged over the defaults; `driver` and `executor` are merged one level deeper. */
  readonly spec?: Partial<SparkApplication['spec']>;
}

export function sparkPiApp(name: string, options: SparkPiOptions = {}): SparkApplication {
  const { driver, executor, ...spec } = options.spec ?? {};
  return {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'SparkApplication',
    metadata: {
      name,
      ...(options.namespace ? { namespace: options.namespace } : {}),
      ...(options.uid ? { uid: options.uid } : {}),
      ...(options.annotations ? { annotations: options.annotations } : {}),
    },
    spec: {
      type: 'Scala',
      mode: 'cluster',
      image: 'apache/spark:3.5.8',
      mainClass: 'org.apache.spark.examples.SparkPi',
      mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
      sparkVersion: '3.5.8',
      ...spec,
      driver: { cores: 1, memory: '512m', ...driver },
      executor: { instances: 1, cores: 1, memory: '512m', ...executor },
    },
  };
}
