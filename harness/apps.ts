// The SparkApplication the benches and reliability tests submit: spark-pi with one executor, the smallest
// application that exercises the whole native submission (driver pod, its Service and ConfigMap, the UI Service).
// Requests are tiny (10m CPU, 64m + 384m overhead memory) so that a simulated node (1000 CPUs, 4 Ti, 1000 pods)
// is full by its pod count, not its CPUs: the benches need thousands of pods on tens of nodes.
import type { SparkApplication } from '../src/api/index.ts';
import type { SparkApplicationObject } from '../src/controllers/sparkapplication/kinds.ts';
import { sparkPiApp } from './spark-pi.ts';

export function benchApp(
  name: string,
  namespace: string,
  options: { annotations?: Record<string, string>; spec?: Partial<SparkApplication['spec']> } = {},
): SparkApplicationObject {
  return sparkPiApp(name, {
    namespace,
    ...(options.annotations ? { annotations: options.annotations } : {}),
    spec: {
      image: 'docker.io/apache/spark:3.5.8',
      restartPolicy: { type: 'Never' },
      driver: { cores: 1, coreRequest: '10m', memory: '64m', serviceAccount: 'spark-operator-spark' },
      executor: { instances: 1, cores: 1, coreRequest: '10m', memory: '64m' },
      ...options.spec,
    },
  }) as SparkApplicationObject;
}

/** Zero-padded names: app-00000 … sort in creation order. */
export function appNames(prefix: string, count: number): string[] {
  const width = Math.max(5, String(count - 1).length);
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(width, '0')}`);
}
