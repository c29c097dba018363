// Operator settings for one submission: what the SparkApplication does not say but the objects need.

/** How sparkop submits applications: built in-process (native) or by running the real spark-submit. */
export type SubmitterKind = 'native' | 'spark-submit';

export interface SubmissionSettings {
  /** kubeflow's label `sparkoperator.k8s.io/submission-id`: a new id per attempt. */
  readonly submissionId: string;
  /** Submission attempt (1, 2, …). Names and ids come from the app's uid and the submission id, not from this. */
  readonly attempt: number;
  /** spark.master as the driver sees it, e.g. `k8s://https://kubernetes.default.svc:443`. */
  readonly masterURL: string;
  /** SPARK_USER of the driver (spark-submit uses the name of the user it runs as). */
  readonly sparkUser: string;
  /** spark.app.submitTime, in epoch milliseconds (from the caller's clock: the builder reads no clock). */
  readonly submitTimeMs: number;
  /** Image pull policy when the application sets none (unset: Kubernetes' default). */
  readonly defaultImagePullPolicy?: string | undefined;
  /** Folder where kubeflow's spark-submit writes pod template files: `<dir>/<submissionId>/…-pod-template.yaml`. */
  readonly templateDir: string;
}

export const DEFAULT_SUBMISSION_SETTINGS = {
  masterURL: 'k8s://https://kubernetes.default.svc:443',
  sparkUser: 'spark',
  templateDir: '/tmp/spark',
} as const;

/** Settings with defaults filled in for what the caller leaves out. */
export function submissionSettings(
  given: Pick<SubmissionSettings, 'submissionId' | 'attempt' | 'submitTimeMs'> & Partial<SubmissionSettings>,
): SubmissionSettings {
  return { ...DEFAULT_SUBMISSION_SETTINGS, ...given };
}
