// submitAttempt's idempotence rule: a driver pod of this submission is ours; one of another submission, or owned by
// another SparkApplication of the same name (deleted and created again), blocks the attempt and is never adopted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { SparkApplication } from '../../src/api/index.ts';
import { submitAttempt } from '../../src/controllers/sparkapplication/submission.ts';
import type { Client } from '../../src/runtime/index.ts';
import type { SubmitDriver } from '../../src/spark/lifecycle/index.ts';
import { AlreadyExistsError, type Submitter } from '../../src/spark/submit/contract.ts';
import { sparkPi } from './spark-fixtures.ts';

const action: SubmitDriver = {
  kind: 'SubmitDriver',
  attempt: 1,
  submissionID: 'sub-new',
  driverPodName: 'spark-pi-driver',
};

function driver(submission: string, ownerUid: string): V1Pod {
  return {
    metadata: {
      name: 'spark-pi-driver',
      namespace: 'team-a',
      uid: 'pod-1',
      labels: { 'sparkoperator.k8s.io/submission-id': submission },
      ownerReferences: [
        { apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', name: 'spark-pi', uid: ownerUid },
      ],
    },
  };
}

/** A client whose live reads find `pod`; deletes are recorded. */
function client(pod: V1Pod) {
  const deleted: string[] = [];
  const c = {
    apiReader: { get: async () => pod, list: async () => [pod] },
    delete: async (obj: V1Pod) => void deleted.push(obj.metadata?.uid ?? ''),
  } as unknown as Pick<Client, 'apiReader' | 'delete'>;
  return { c, deleted };
}

const adopting: Submitter = {
  kind: 'spark-submit',
  submit: async (_app, settings) => ({
    sparkApplicationId: 'spark-1',
    submissionId: settings.submissionId,
    driverPodName: 'spark-pi-driver',
    alreadyExisted: true,
  }),
};
const refused: Submitter = {
  kind: 'native',
  submit: async () => {
    throw new AlreadyExistsError('Pod already exists');
  },
};

const app = (): SparkApplication => sparkPi(); // uid 11111111-2222-4333-8444-555555555555

test('the pod of this submission, found after a crash, is ours: Submitted', async () => {
  const { c } = client(driver('sub-new', app().metadata!.uid!));
  const out = await submitAttempt(adopting, c, app(), action, {}, 0);
  assert.equal(out.feedback.kind === 'SubmissionResult' && out.feedback.result, 'Submitted');
});

test("a pod of another SparkApplication of the same name blocks the attempt, even with this submission's id", async () => {
  for (const submitter of [adopting, refused]) {
    const { c, deleted } = client(driver('sub-new', 'old-app-uid'));
    const out = await submitAttempt(submitter, c, app(), action, {}, 0);
    assert.ok(out.feedback.kind === 'SubmissionResult' && out.feedback.result === 'Blocked', submitter.kind);
    assert.match(
      out.feedback.kind === 'SubmissionResult' && 'message' in out.feedback ? out.feedback.message : '',
      /old-app-uid/,
    );
    assert.deepEqual(deleted, [], 'the other application’s pod is not deleted by a failed submission');
  }
});

test('a pod of an older submission blocks the attempt (never Failed)', async () => {
  for (const submitter of [adopting, refused]) {
    const { c } = client(driver('sub-old', app().metadata!.uid!));
    const out = await submitAttempt(submitter, c, app(), action, {}, 0);
    assert.ok(out.feedback.kind === 'SubmissionResult' && out.feedback.result === 'Blocked', submitter.kind);
  }
});
