// Submitting one attempt, with the lifecycle's idempotence rule: the driver pod of this submission created or found
// → Submitted; the name held by a pod of another submission (or of another SparkApplication of the same name)
// → Blocked, never adopted: the application waits for it to go; any other failure → Failed (and a driver pod
// this submission created is deleted). Transient API
// failures (throttling, timeouts, lost connections) are thrown instead: the attempt is retried with backoff and
// does not count as a failed submission.
import type { V1Pod } from '@kubernetes/client-node';
import type { SparkApplication } from '../../api/index.ts';
import {
  type Client,
  isAlreadyExists,
  isConflict,
  isNotFound,
  isTransient,
  type KubeObject,
} from '../../runtime/index.ts';
import { type Feedback, SUBMISSION_ID_LABEL, type SubmitDriver } from '../../spark/lifecycle/index.ts';
import { type SubmissionSettings, submissionSettings } from '../../spark/settings.ts';
import { AlreadyExistsError, type SubmissionClient, type Submitter } from '../../spark/submit/contract.ts';
import { NativeSubmitter } from '../../spark/submit/native.ts';
import { Pods } from './kinds.ts';

/** The native submitter's few calls over the runtime client; the driver pod is read back live, never from a cache. */
export function runtimeSubmissionClient(client: Client): SubmissionClient {
  const create = async <T extends KubeObject>(obj: T, apiVersion: string, kind: string): Promise<T> => {
    try {
      return await client.create({ ...obj, apiVersion, kind });
    } catch (err) {
      if (isAlreadyExists(err)) throw new AlreadyExistsError(`${kind} already exists`, { cause: err });
      throw err;
    }
  };
  return {
    createPod: (_ns, pod) => create(pod as V1Pod & KubeObject, 'v1', 'Pod'),
    readPod: (namespace, name) => client.apiReader.get(Pods, { namespace, name }),
    createService: (_ns, svc) => create(svc as KubeObject, 'v1', 'Service'),
    createConfigMap: (_ns, cm) => create(cm as KubeObject, 'v1', 'ConfigMap'),
  };
}

export function nativeSubmitter(client: Client): Submitter {
  return new NativeSubmitter(runtimeSubmissionClient(client));
}

/** The first error in a cause chain that `test` accepts. */
function findCause(err: unknown, test: (e: unknown) => boolean): unknown {
  for (let e: unknown = err, depth = 0; e && depth < 10; depth++) {
    if (test(e)) return e;
    e = e instanceof Error ? e.cause : undefined;
  }
  return undefined;
}

/** One line naming every error in the chain: "creating driver pod x: pods "x" is forbidden: …". */
export function describeChain(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 10; depth++) {
    parts.push(e instanceof Error ? e.message : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts
    .filter((p, i) => p && p !== parts[i - 1])
    .join(': ')
    .replace(/\s+/g, ' ');
}

export class TransientSubmissionError extends Error {
  override readonly name = 'TransientSubmissionError';
}

export interface SubmitOutcome {
  readonly feedback: Feedback;
  readonly sparkApplicationId?: string;
}

/** Submits `action`'s attempt of `app`; see the rules at the top of this file. */
export async function submitAttempt(
  submitter: Submitter,
  client: Pick<Client, 'apiReader' | 'delete'>,
  app: SparkApplication,
  action: SubmitDriver,
  base: Partial<SubmissionSettings>,
  nowMs: number,
): Promise<SubmitOutcome> {
  const settings = submissionSettings({
    ...base,
    submissionId: action.submissionID,
    attempt: action.attempt,
    submitTimeMs: nowMs,
  });
  const namespace = app.metadata.namespace ?? '';
  const livePod = () =>
    client.apiReader.get(Pods, { namespace, name: action.driverPodName }).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  /**
   * The submission a (live) driver pod belongs to; undefined when there is none. A pod owned by another
   * SparkApplication (an earlier one of the same name) is never this application's, whatever its labels say.
   */
  const submissionOf = (pod: V1Pod | undefined) => {
    if (!pod) return undefined;
    const submission = pod.metadata?.labels?.[SUBMISSION_ID_LABEL] ?? '(none)';
    const owner = pod.metadata?.ownerReferences?.find((r) => r.kind === 'SparkApplication');
    const uid = app.metadata.uid;
    return owner && uid && owner.uid !== uid ? `${submission} of SparkApplication uid ${owner.uid}` : submission;
  };
  const blocked = (other: string): SubmitOutcome => ({
    feedback: {
      kind: 'SubmissionResult',
      submissionID: action.submissionID,
      result: 'Blocked',
      message: `pod ${action.driverPodName} belongs to submission ${other}`,
    },
  });
  try {
    const result = await submitter.submit(app, settings);
    if (result.alreadyExisted) {
      // The pod of this attempt's name existed: ours (an operator restart) or an older run's the cache did not show.
      const other = submissionOf(await livePod());
      if (other !== undefined && other !== action.submissionID) return blocked(other);
    }
    return {
      feedback: { kind: 'SubmissionResult', submissionID: action.submissionID, result: 'Submitted' },
      sparkApplicationId: result.sparkApplicationId,
    };
  } catch (err) {
    if (findCause(err, isTransient)) {
      throw new TransientSubmissionError(`submitting ${namespace}/${app.metadata.name}: ${describeChain(err)}`, {
        cause: err,
      });
    }
    const pod = await livePod();
    const other = submissionOf(pod);
    if (other !== undefined && other !== action.submissionID) return blocked(other);
    if (pod?.metadata?.uid) {
      // The driver pod was created but what it needs (its Service, its ConfigMaps) was refused: as spark-submit
      // does, delete it, so that a failed submission leaves no driver running (it would otherwise run unwatched).
      await client
        .delete(pod, { preconditions: { uid: pod.metadata.uid } })
        .catch((err: unknown) => (isNotFound(err) || isConflict(err) ? undefined : Promise.reject(err)));
    }
    return {
      feedback: {
        kind: 'SubmissionResult',
        submissionID: action.submissionID,
        result: 'Failed',
        message: describeChain(err),
      },
    };
  }
}
