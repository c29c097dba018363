// Shared SparkApplication fixtures for the spark-* unit tests.

import { sparkPiApp } from '../../harness/spark-pi.ts';
import type { SparkApplication } from '../../src/api/index.ts';
import { resolveDriverConf } from '../../src/spark/driver-conf.ts';
import { submissionIds } from '../../src/spark/names.ts';
import { type SubmissionSettings, submissionSettings } from '../../src/spark/settings.ts';
import { submitRequest } from '../../src/spark/submit-request.ts';

export const SETTINGS: SubmissionSettings = submissionSettings({
  submissionId: 'sub-1',
  attempt: 1,
  submitTimeMs: 1000,
});

export function sparkPi(spec: Partial<SparkApplication['spec']> = {}, name = 'spark-pi'): SparkApplication {
  // The builder tests' baseline: an executor with Spark's defaults for cores and memory.
  const app = sparkPiApp(name, { namespace: 'team-a', uid: '11111111-2222-4333-8444-555555555555' });
  return { ...app, spec: { ...app.spec, executor: { instances: 1 }, ...spec } };
}

export function driverConf(app: SparkApplication, settings: SubmissionSettings = SETTINGS) {
  const request = submitRequest(app, settings);
  return resolveDriverConf(
    request,
    settings,
    submissionIds(app.metadata?.uid ?? 'x', settings.submissionId),
    app.spec.sparkVersion,
  );
}
