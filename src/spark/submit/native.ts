// Native submission: build the objects in-process (pure, src/spark/builder.ts), then create them — the driver pod
// first, then its Service and ConfigMaps owned by it. Names are deterministic per attempt: when the driver pod of
// this attempt already exists (the operator crashed after creating it), the existing pod is adopted and only the
// missing resources are created, so an attempt never starts a second driver.
import type { SparkApplication } from '../../api/index.ts';
import { buildNativeSubmission, driverOwnerReference, ownedByDriver } from '../builder.ts';
import type { SubmissionSettings } from '../settings.ts';
import {
  AlreadyExistsError,
  type SubmissionClient,
  SubmissionError,
  type SubmissionResult,
  type Submitter,
} from './contract.ts';

export class NativeSubmitter implements Submitter {
  readonly kind = 'native';
  readonly #client: SubmissionClient;

  constructor(client: SubmissionClient) {
    this.#client = client;
  }

  async submit(app: SparkApplication, settings: SubmissionSettings): Promise<SubmissionResult> {
    const built = buildNativeSubmission(app, settings);
    const { namespace, podName } = built.conf;
    let alreadyExisted = false;
    const pod = await this.#client.createPod(namespace, built.driverPod).catch(async (err: unknown) => {
      if (!(err instanceof AlreadyExistsError))
        throw new SubmissionError(`creating driver pod ${podName}`, { cause: err });
      alreadyExisted = true;
      return this.#client.readPod(namespace, podName);
    });
    const existingId = pod.metadata?.labels?.['spark-app-selector'];
    if (alreadyExisted && existingId !== built.conf.ids.appId) {
      throw new SubmissionError(
        `driver pod ${namespace}/${podName} exists but belongs to another submission (spark-app-selector=${existingId})`,
      );
    }
    const uid = pod.metadata?.uid;
    if (!uid) throw new SubmissionError(`driver pod ${podName} has no uid`);
    const owner = driverOwnerReference(pod, uid);
    // The Services and ConfigMaps only need the pod's uid: they are created together (one round trip, not one per
    // object, as spark-submit sends them in one batch). Every creation is awaited before a failure is reported.
    const results = await Promise.allSettled(
      built.resources.map((resource) => {
        const owned = ownedByDriver(resource, owner);
        const create =
          owned.kind === 'Service'
            ? this.#client.createService(namespace, owned)
            : this.#client.createConfigMap(namespace, owned);
        return create.catch((err: unknown) => {
          if (err instanceof AlreadyExistsError && alreadyExisted) return; // created before the crash
          throw new SubmissionError(`creating ${owned.kind} ${owned.metadata?.name}`, { cause: err });
        });
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return {
      sparkApplicationId: built.conf.ids.appId,
      submissionId: settings.submissionId,
      driverPodName: podName,
      alreadyExisted,
    };
  }
}
