// The submitter seam: how the operator turns a SparkApplication attempt into a running driver. Two implementations:
// native (builds the objects in-process, src/spark/submit/native.ts) and spark-submit (runs the real binary,
// src/spark/submit/spark-submit.ts), chosen by the operator setting `submitter` (SubmitterKind).
import type { V1ConfigMap, V1Pod, V1Service } from '@kubernetes/client-node';
import type { SparkApplication } from '../../api/index.ts';
import type { SubmissionSettings } from '../settings.ts';

export interface SubmissionResult {
  /** spark.app.id of the driver (the label spark-app-selector). */
  readonly sparkApplicationId: string;
  readonly submissionId: string;
  readonly driverPodName: string;
  /** True when the driver pod of this attempt already existed (a resubmission after a crash): nothing was created twice. */
  readonly alreadyExisted: boolean;
}

export interface Submitter {
  readonly kind: 'native' | 'spark-submit';
  submit(app: SparkApplication, settings: SubmissionSettings): Promise<SubmissionResult>;
}

/** The few API calls native submission needs (create, and read the driver pod back when it already exists). */
export interface SubmissionClient {
  createPod(namespace: string, pod: V1Pod): Promise<V1Pod>;
  readPod(namespace: string, name: string): Promise<V1Pod>;
  createService(namespace: string, service: V1Service): Promise<V1Service>;
  createConfigMap(namespace: string, configMap: V1ConfigMap): Promise<V1ConfigMap>;
}

/** A create that failed because the object exists (HTTP 409); the client implementation maps its error to this. */
export class AlreadyExistsError extends Error {
  override readonly name = 'AlreadyExistsError';
}

/** A submission that failed; `cause` holds the underlying error. */
export class SubmissionError extends Error {
  override readonly name = 'SubmissionError';
}
