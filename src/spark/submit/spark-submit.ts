// Submission by the real spark-submit binary (for users who need exactly spark-submit's behaviour): the same
// request as native submission (src/spark/submit-request.ts), as a command line plus pod template files. This is
// the one module under src/spark that does I/O of its own (files, a child process); everything it decides is pure.
import { execFile } from 'node:child_process';
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SparkApplication } from '../../api/index.ts';
import { applicationOwner } from '../builder.ts';
import type { DriverConf } from '../driver-conf.ts';
import type { SubmissionSettings } from '../settings.ts';
import {
  DRIVER_CONTAINER_NAME,
  type SubmitRequest,
  sparkSubmitArgs,
  submitRequest,
  templateFile,
} from '../submit-request.ts';
import { type SubmissionClient, SubmissionError, type SubmissionResult, type Submitter } from './contract.ts';

export interface SparkSubmitOptions {
  /** SPARK_HOME: spark-submit is `<sparkHome>/bin/spark-submit`. */
  readonly sparkHome: string;
  /** Environment of spark-submit (KUBECONFIG, JAVA_HOME, …); the operator's own environment when unset. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly timeoutMs?: number | undefined;
  readonly client: Pick<SubmissionClient, 'readPod'>;
  /**
   * The driver pod is owned by its SparkApplication (through the driver's pod template), as with native submission,
   * so deleting the application deletes its driver. Default true; off only where the application is not in the API
   * server (the conformance tests), since the garbage collector would delete a driver owned by nothing.
   */
  readonly ownDriverByApplication?: boolean | undefined;
}

export interface SparkSubmitRun {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs spark-submit with the given arguments; rejects with its stderr's last lines on failure. */
export function runSparkSubmit(options: SparkSubmitOptions, args: readonly string[]): Promise<SparkSubmitRun> {
  return new Promise((resolve, reject) => {
    execFile(
      join(options.sparkHome, 'bin', 'spark-submit'),
      [...args],
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          // For the message only: the first exception or error line says what went wrong, the rest is stack.
          const lines = stderr.split('\n');
          const reason = lines.find((l) => /Exception|ERROR/.test(l)) ?? lines.slice(-5).join('\n');
          reject(new SubmissionError(`spark-submit exited with ${err.code ?? err.signal}: ${reason}`, { cause: err }));
        } else resolve({ stdout, stderr });
      },
    );
  });
}

export class SparkSubmitSubmitter implements Submitter {
  readonly kind = 'spark-submit';
  readonly #options: SparkSubmitOptions;

  constructor(options: SparkSubmitOptions) {
    this.#options = options;
  }

  async submit(app: SparkApplication, settings: SubmissionSettings): Promise<SubmissionResult> {
    const owner = this.#options.ownDriverByApplication === false ? undefined : applicationOwner(app);
    const request = owner
      ? withDriverOwner(submitRequest(app, settings), owner, settings)
      : submitRequest(app, settings);
    const podName = request.conf.findLast(([k]) => k === 'spark.kubernetes.driver.pod.name')?.[1] ?? '';
    const existing = await this.#options.client.readPod(request.namespace, podName).catch(() => undefined);
    if (existing) {
      // The driver of this attempt exists already (e.g. the operator restarted): do not submit a second one.
      return {
        sparkApplicationId: existing.metadata?.labels?.['spark-app-selector'] ?? '',
        submissionId: settings.submissionId,
        driverPodName: podName,
        alreadyExisted: true,
      };
    }
    const templates = [request.driverTemplate, request.executorTemplate].filter((t) => t !== undefined);
    // The submission's own folder (<templateDir>/<submissionId>) goes with its files: nothing is left per submission.
    const folders = [...new Set(templates.map((t) => dirname(t.path)))];
    try {
      for (const t of templates) {
        await mkdir(dirname(t.path), { recursive: true });
        await writeFile(t.path, t.yaml);
      }
      await runSparkSubmit(this.#options, sparkSubmitArgs(request, settings.masterURL));
    } finally {
      for (const t of templates) await rm(t.path, { force: true });
      // Only once empty: the folder holds nothing but this submission's templates.
      for (const folder of folders) await rmdir(folder).catch(() => undefined);
    }
    const pod = await this.#options.client.readPod(request.namespace, podName);
    return {
      sparkApplicationId: pod.metadata?.labels?.['spark-app-selector'] ?? '',
      submissionId: settings.submissionId,
      driverPodName: podName,
      alreadyExisted: false,
    };
  }
}

/** The request with the application as the controller owner in its driver pod template (made if there is none). */
function withDriverOwner(
  request: SubmitRequest,
  owner: NonNullable<DriverConf['owner']>,
  settings: SubmissionSettings,
): SubmitRequest {
  const pod = structuredClone(
    request.driverTemplate?.pod ?? { spec: { containers: [{ name: DRIVER_CONTAINER_NAME }] } },
  );
  pod.metadata = { ...pod.metadata, ownerReferences: [{ ...owner, controller: true, blockOwnerDeletion: true }] };
  const driverTemplate = templateFile(pod, 'driver', settings);
  return {
    ...request,
    driverTemplate,
    conf: [
      ...request.conf,
      ['spark.kubernetes.driver.podTemplateFile', driverTemplate.path],
      ['spark.kubernetes.driver.podTemplateContainerName', DRIVER_CONTAINER_NAME],
    ],
  };
}
