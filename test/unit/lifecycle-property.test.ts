// Random pod observations, cache lag, crashes, spec edits and time steps driven through decide() by a fake
// reconciler; after every reconcile the lifecycle's invariants must hold.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  type Decision,
  DRIVER_CONTAINER_NAME,
  DRIVER_PROBLEMS,
  decide,
  type PodSummary,
  resolveSettings,
  type SparkApplication,
  STATES,
  SUBMISSION_ID_LABEL,
  TRANSITIONS,
} from '../../src/spark/lifecycle/index.ts';
import { driverPod, executorPod, FakeCluster, makeApp, T0 } from './lifecycle-helpers.ts';

type Command =
  | { kind: 'advance'; ms: number }
  | { kind: 'reconcile'; crash: boolean }
  | { kind: 'driver'; phase: string; exitCode: number | undefined }
  | { kind: 'driverStuck'; problem: number }
  | { kind: 'driverGone' }
  | { kind: 'stalePod'; phase: string }
  | { kind: 'cacheFreeze' }
  | { kind: 'cacheSync' }
  | { kind: 'executors'; phases: string[]; stale: boolean }
  | { kind: 'suspend'; value: boolean }
  | { kind: 'editSpec'; args: string[] }
  | { kind: 'failNextSubmission' };

const phase = fc.constantFrom('Pending', 'Running', 'Succeeded', 'Failed', 'Unknown');
/** What a Pending driver pod may say about why it does not start. */
const STUCK: readonly Partial<PodSummary>[] = [
  { notScheduled: { reason: 'Unschedulable', message: '0/3 nodes are available' } },
  { notScheduled: { reason: 'Unschedulable', message: '0/4 nodes are available' } },
  { containerStatuses: [{ name: DRIVER_CONTAINER_NAME, waitingReason: 'ErrImagePull', waitingMessage: 'not found' }] },
  {
    containerStatuses: [{ name: DRIVER_CONTAINER_NAME, waitingReason: 'ImagePullBackOff', waitingMessage: 'back-off' }],
  },
  { containerStatuses: [{ name: DRIVER_CONTAINER_NAME, waitingReason: 'CreateContainerConfigError' }] },
  { containerStatuses: [{ name: DRIVER_CONTAINER_NAME, waitingReason: 'ContainerCreating' }] },
];
const PROBLEM_EVENTS = new Set(Object.values(DRIVER_PROBLEMS).map((p) => p.eventReason));
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 120_000 }) }),
  },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('reconcile' as const), crash: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('driver' as const),
      phase,
      exitCode: fc.option(fc.constantFrom(0, 1, 137), { nil: undefined, freq: 2 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('driverStuck' as const),
      problem: fc.integer({ min: 0, max: STUCK.length - 1 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('driverGone' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stalePod' as const), phase }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cacheFreeze' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cacheSync' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('executors' as const),
      phases: fc.array(phase, { maxLength: 6 }),
      stale: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('suspend' as const), value: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('editSpec' as const),
      args: fc.array(fc.constantFrom('1', '2'), { maxLength: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('failNextSubmission' as const) }) },
);

const appArb: fc.Arbitrary<SparkApplication> = fc
  .record({
    type: fc.constantFrom('Never', 'OnFailure', 'Always'),
    onFailureRetries: fc.integer({ min: 0, max: 3 }),
    onSubmissionFailureRetries: fc.integer({ min: 0, max: 3 }),
    onFailureRetryInterval: fc.integer({ min: 1, max: 30 }),
    onSubmissionFailureRetryInterval: fc.integer({ min: 1, max: 30 }),
    ttl: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
  })
  .map((p) =>
    makeApp({
      restartPolicy: {
        type: p.type as 'Never' | 'OnFailure' | 'Always',
        onFailureRetries: p.onFailureRetries,
        onSubmissionFailureRetries: p.onSubmissionFailureRetries,
        onFailureRetryInterval: p.onFailureRetryInterval,
        onSubmissionFailureRetryInterval: p.onSubmissionFailureRetryInterval,
      },
      ...(p.ttl !== undefined ? { timeToLiveSeconds: p.ttl } : {}),
    }),
  );

const CAP = 4;
const settings = resolveSettings({ maxTrackedExecutors: CAP, enableUIService: true });
const TERMINAL = new Set(['COMPLETED', 'FAILED']);

function counters(app: SparkApplication): [number, number] {
  return [app.status?.submissionAttempts ?? 0, app.status?.executionAttempts ?? 0];
}

test('lifecycle invariants hold under random observations, times, crashes and edits', () => {
  fc.assert(
    fc.property(appArb, fc.array(command, { minLength: 30, maxLength: 150, size: 'max' }), (initial, commands) => {
      const cluster = new FakeCluster(initial, settings);
      let now = T0;
      /** submission id → attempt number, for every SubmitDriver ever asked for. */
      const attemptOf = new Map<string, number>();
      /** Submission ids whose result was recorded in the status (never to be submitted again). */
      const recorded = new Set<string>();

      for (const c of commands) {
        switch (c.kind) {
          case 'advance':
            now += c.ms;
            continue;
          case 'driver': {
            const name = cluster.app.status?.driverInfo?.podName;
            const pod = name ? cluster.live.get(name) : undefined;
            if (pod) {
              const submissionID = pod.labels?.[SUBMISSION_ID_LABEL];
              cluster.putPod({
                ...driverPod(c.phase, {
                  name: pod.name,
                  ...(submissionID ? { submissionID } : {}),
                  ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
                }),
                ...(pod.uid ? { uid: pod.uid } : {}),
              });
            }
            continue;
          }
          case 'driverStuck': {
            const name = cluster.app.status?.driverInfo?.podName;
            const pod = name ? cluster.live.get(name) : undefined;
            if (pod) cluster.putPod({ ...pod, phase: 'Pending', ...STUCK[c.problem] });
            continue;
          }
          case 'driverGone':
            for (const name of [...cluster.live.keys()]) cluster.removePod(name);
            continue;
          case 'stalePod':
            if (cluster.live.size === 0)
              cluster.putPod(driverPod(c.phase, { submissionID: 'ancient', uid: 'ancient-uid' }));
            continue;
          case 'cacheFreeze':
            cluster.cacheFollows = false;
            continue;
          case 'cacheSync':
            cluster.cacheFollows = true;
            cluster.syncCache();
            continue;
          case 'executors': {
            const sub = c.stale ? 'ancient' : (cluster.app.status?.submissionID ?? 'none');
            cluster.executors = c.phases.map((p, i) => executorPod(i + 1, p, sub));
            continue;
          }
          case 'suspend':
            cluster.app = { ...cluster.app, spec: { ...cluster.app.spec, suspend: c.value } };
            continue;
          case 'editSpec':
            cluster.app = { ...cluster.app, spec: { ...cluster.app.spec, arguments: c.args } };
            continue;
          case 'failNextSubmission':
            cluster.failSubmissions.push('quota exceeded');
            continue;
          case 'reconcile':
            break;
        }

        const before = cluster.app;
        const fromState = before.status?.applicationState?.state ?? '';
        const [subBefore, execBefore] = counters(before);
        const decision: Decision = cluster.reconcile(now, { crashAfterActions: c.crash });
        const first = c.crash ? decision : (cluster.log.at(-1)?.first ?? decision);

        // Purity: the same input gives the same decision.
        const used = cluster.lastInput;
        assert.ok(used);
        assert.deepEqual(decide(used), first);

        // SubmitDriver: one attempt number per id; never again once its result is in the status.
        for (const a of first.actions) {
          if (a.kind !== 'SubmitDriver') continue;
          const known = attemptOf.get(a.submissionID);
          assert.ok(known === undefined || known === a.attempt, 'a submission id always has the same attempt');
          attemptOf.set(a.submissionID, a.attempt);
          assert.ok(
            !recorded.has(a.submissionID),
            `submission ${a.submissionID} asked for again after it was recorded`,
          );
        }
        if (first.awaiting) {
          assert.equal(first.statusChanged, false);
          assert.deepEqual(first.events, []);
        }
        if (c.crash) continue;

        const after = cluster.app;
        const toState = after.status?.applicationState?.state ?? '';
        if (after.status?.submissionID) recorded.add(after.status.submissionID);

        // Terminal states stay terminal; their only action is deleting the application after its TTL.
        if (TERMINAL.has(fromState)) {
          assert.equal(toState, fromState);
          for (const a of decision.actions) assert.equal(a.kind, 'DeleteApplication');
        }
        if (decision.actions.some((a) => a.kind === 'DeleteApplication')) {
          const ttl = (before.spec.timeToLiveSeconds ?? 0) * 1000;
          assert.ok(now >= Date.parse(after.status?.terminationTime ?? '') + ttl - 999, 'deleted only after its TTL');
        }

        // State changes follow table rows, each with the row's event.
        if (toState !== fromState) {
          const rows = TRANSITIONS.filter((t) => t.from === fromState && t.to === toState);
          assert.ok(rows.length > 0, `no table row ${fromState} → ${toState}`);
          assert.ok(decision.events.some((e) => rows.some((r) => r.reason === e.reason)));
        }

        // Counters never decrease, except when an invalidated run is reset.
        const [subAfter, execAfter] = counters(after);
        if (!(fromState === 'INVALIDATING' && toState === 'PENDING_RERUN')) {
          assert.ok(subAfter >= subBefore && execAfter >= execBefore, 'attempt counters never decrease');
        }

        // A pending driver's problem is reported once: its Warning comes with a new errorMessage, in SUBMITTED.
        const problemEvents = decision.events.filter((e) => PROBLEM_EVENTS.has(e.reason));
        if (problemEvents.length > 0) {
          assert.equal(problemEvents.length, 1);
          assert.equal(toState, 'SUBMITTED');
          const message = after.status?.applicationState?.errorMessage;
          assert.equal(problemEvents[0]?.message, message);
          assert.notEqual(message, before.status?.applicationState?.errorMessage);
        }

        // A missing driver fails the application only when the live state agrees (kubeflow #2302).
        if (decision.events.some((e) => e.reason === 'SparkDriverNotFound')) {
          const live = cluster.live.get(before.status?.driverInfo?.podName ?? '');
          assert.ok(!live || live.labels?.[SUBMISSION_ID_LABEL] !== before.status?.submissionID);
        }

        assert.ok(Object.keys(after.status?.executorState ?? {}).length <= CAP);
        assert.ok(STATES[toState as keyof typeof STATES] !== undefined);
        if (decision.requeueAfterMs !== undefined) {
          assert.ok(Number.isFinite(decision.requeueAfterMs) && decision.requeueAfterMs >= 0);
        }
      }
    }),
    { numRuns: 400 },
  );
});

test('a pod observation alone never moves a terminal application', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('COMPLETED', 'FAILED'),
      phase,
      fc.option(fc.constantFrom(0, 1), { nil: undefined }),
      fc.integer({ min: 0, max: 10_000_000 }),
      (terminal, p, exitCode, dt) => {
        const app: SparkApplication = {
          ...makeApp({ suspend: dt % 2 === 0 }),
          status: {
            driverInfo: { podName: 'pi-driver' },
            submissionID: 'sub-1',
            applicationState: { state: terminal },
          },
        };
        const pod: PodSummary = driverPod(p, {
          submissionID: 'sub-1',
          ...(exitCode !== undefined ? { exitCode } : {}),
        });
        const d = decide({ app, driverPod: pod, executorPods: [], now: T0 + dt, settings });
        assert.equal(d.status.applicationState?.state, terminal);
      },
    ),
  );
});
