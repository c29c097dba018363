// What the controller adds to an application before the builder sees it (pure): kubeflow's defaults
// (api/defaults.ts), batch-scheduler annotations and labels, spark.ui.proxyBase for an ingress path, and the objects
// to create first (PodGroup, the Prometheus ConfigMap that the builder's JMX exporter java agent reads). The builder
// (src/spark) stays unaware of them.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { withDefaults } from '../../api/defaults.ts';
import type { SparkApplication } from '../../api/index.ts';
import type { KubeObject } from '../../runtime/index.ts';
import { metricsConfigMapName } from '../submit-request.ts';
import type { BatchPlan } from './batch-scheduler.ts';
import { applicationOwner, ourLabels, uiProxyBase } from './ui.ts';

export interface PreparedSubmission {
  readonly app: SparkApplication;
  /** Applied (created, or updated to this content) before the driver, in this order. */
  readonly objects: readonly KubeObject[];
}

export function prepareSubmission(
  app: SparkApplication,
  plan: BatchPlan | undefined,
  ingressUrl: string | undefined,
): PreparedSubmission {
  // kubeflow's defaults, as its default install (mutating webhook on) applies them: e.g. one executor when neither
  // spec.executor.instances nor sparkConf says how many (Spark alone would start two).
  const copy = withDefaults(app);
  const objects: KubeObject[] = [];
  if (plan) {
    copy.spec.driver = {
      ...copy.spec.driver,
      annotations: { ...copy.spec.driver.annotations, ...plan.driverAnnotations },
      labels: { ...copy.spec.driver.labels, ...plan.podLabels },
    };
    copy.spec.executor = {
      ...copy.spec.executor,
      annotations: { ...copy.spec.executor.annotations, ...plan.executorAnnotations },
      labels: { ...copy.spec.executor.labels, ...plan.podLabels },
    };
    objects.push(...plan.objects);
  }
  const proxyBase = ingressUrl ? uiProxyBase(ingressUrl) : '';
  if (proxyBase && !copy.spec.sparkConf?.['spark.ui.proxyBase']) {
    copy.spec.sparkConf = { ...copy.spec.sparkConf, 'spark.ui.proxyBase': proxyBase, 'spark.ui.proxyRedirectUri': '/' };
  }
  const prom = prometheusConfigMap(copy);
  if (prom) objects.push(prom);
  return { app: copy, objects };
}

/** Spark's metrics.properties sending everything to JMX, where the exporter reads it (kubeflow's default). */
export const DEFAULT_METRICS_PROPERTIES = [
  '*.sink.jmx.class=org.apache.spark.metrics.sink.JmxSink',
  'driver.source.jvm.class=org.apache.spark.metrics.source.JvmSource',
  'executor.source.jvm.class=org.apache.spark.metrics.source.JvmSource',
  '',
].join('\n');

/** A JMX exporter configuration that exposes Spark's metrics with lower-cased names. */
export const DEFAULT_PROMETHEUS_CONFIG = [
  'lowercaseOutputName: true',
  'attrNameSnakeCase: true',
  'rules:',
  '  - pattern: metrics<name=(\\S+)\\.(\\S+)\\.(\\S+)><>Value',
  '    name: spark_$3',
  '    type: GAUGE',
  '    labels:',
  '      app_id: "$1"',
  '      role: "$2"',
  '  - pattern: ".*"',
  '',
].join('\n');

/** The ConfigMap `<app>-prom-conf` the builder mounts when monitoring.prometheus is set. */
export function prometheusConfigMap(app: SparkApplication): V1ConfigMap | undefined {
  const m = app.spec.monitoring;
  if (!m?.prometheus || !(m.exposeDriverMetrics || m.exposeExecutorMetrics)) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: metricsConfigMapName(app.metadata.name ?? ''),
      namespace: app.metadata.namespace,
      labels: ourLabels(app),
      ownerReferences: [applicationOwner(app)],
    },
    data: {
      'metrics.properties': m.metricsProperties ?? DEFAULT_METRICS_PROPERTIES,
      'prometheus.yaml': m.prometheus.configuration ?? DEFAULT_PROMETHEUS_CONFIG,
    },
  };
}
