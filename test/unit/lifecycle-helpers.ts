// Fixtures for the lifecycle tests: applications, pods, and a fake reconciler that performs decide()'s actions
// on an in-memory cluster (with a cache that can lag behind the live state).
import {
  type Action,
  type DecideInput,
  type Decision,
  decide,
  type Feedback,
  type LifecycleSettings,
  type ObservedService,
  observationTargets,
  type PodSummary,
  resolveSettings,
  SPARK_APP_SELECTOR_LABEL,
  type SparkApplication,
  type SparkApplicationStatus,
  SUBMISSION_ID_LABEL,
} from '../../src/spark/lifecycle/index.ts';

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
export const SETTINGS: LifecycleSettings = resolveSettings({ enableUIService: false });

type SpecPatch = Partial<SparkApplication['spec']>;

export function makeApp(
  spec: SpecPatch = {},
  status?: SparkApplicationStatus,
  annotations?: Record<string, string>,
): SparkApplication {
  return {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'SparkApplication',
    metadata: { name: 'pi', namespace: 'ns', uid: 'uid-1', ...(annotations ? { annotations } : {}) },
    spec: {
      type: 'Scala',
      sparkVersion: '3.5.0',
      mainClass: 'org.apache.spark.examples.SparkPi',
      mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
      driver: {},
      executor: { instances: 2 },
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

export function withState(
  app: SparkApplication,
  state: string,
  patch: Partial<SparkApplicationStatus> = {},
): SparkApplication {
  return {
    ...app,
    status: {
      driverInfo: { podName: 'pi-driver' },
      submissionID: 'sub-1',
      submissionAttempts: 1,
      executionAttempts: 1,
      lastSubmissionAttemptTime: iso(T0),
      ...patch,
      applicationState: { state: state as never, ...(patch.applicationState ?? {}) },
    },
  };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function driverPod(
  phase: string,
  opts: { submissionID?: string; exitCode?: number; reason?: string; name?: string; uid?: string } = {},
): PodSummary {
  const labels: Record<string, string> = { 'spark-role': 'driver', [SPARK_APP_SELECTOR_LABEL]: 'spark-0123' };
  if (opts.submissionID !== undefined) labels[SUBMISSION_ID_LABEL] = opts.submissionID;
  return {
    name: opts.name ?? 'pi-driver',
    uid: opts.uid ?? `uid-${opts.name ?? 'pi-driver'}-${opts.submissionID ?? ''}`,
    labels,
    phase,
    containerStatuses: [
      {
        name: 'spark-kubernetes-driver',
        ...(opts.exitCode !== undefined
          ? { terminated: { exitCode: opts.exitCode, ...(opts.reason ? { reason: opts.reason } : {}) } }
          : {}),
      },
    ],
  };
}

export function executorPod(n: number, phase: string, submissionID = 'sub-1'): PodSummary {
  return {
    name: `pi-1a2b-exec-${n}`,
    labels: { 'spark-role': 'executor', [SUBMISSION_ID_LABEL]: submissionID, [SPARK_APP_SELECTOR_LABEL]: 'spark-exec' },
    phase,
  };
}

export function input(app: SparkApplication, rest: Partial<DecideInput> = {}): DecideInput {
  return { app, executorPods: [], now: T0, settings: SETTINGS, ...rest };
}

export function state(d: Decision): string {
  return d.status.applicationState?.state ?? '';
}

export function kinds(actions: readonly Action[]): string[] {
  return actions.map((a) => a.kind);
}

export function reasons(d: Decision): string[] {
  return d.events.map((e) => e.reason);
}

/**
 * An in-memory cluster with one SparkApplication and a reconciler that follows decide()'s contract. `live` is
 * the API server's truth; `cache` is what the informer shows (equal unless a test makes it lag).
 */
export class FakeCluster {
  app: SparkApplication;
  live = new Map<string, PodSummary>();
  cache = new Map<string, PodSummary>();
  services = new Map<string, ObservedService>();
  executors: PodSummary[] = [];
  deleted = false;
  /** Messages for the next submissions to fail with, consumed in order. */
  failSubmissions: string[] = [];
  /** Whether the cache follows the live state after each action. */
  cacheFollows = true;
  readonly log: { now: number; first: Decision; final: Decision }[] = [];
  /** The input of the last reconcile's first decide() call. */
  lastInput: DecideInput | undefined;
  private uidSeq = 0;

  readonly settings: LifecycleSettings;

  constructor(app: SparkApplication, settings: LifecycleSettings = SETTINGS) {
    this.app = app;
    this.settings = settings;
  }

  /** Sets a pod in the live state (and the cache, if it follows). */
  putPod(pod: PodSummary): void {
    this.live.set(pod.name, pod);
    if (this.cacheFollows) this.cache.set(pod.name, pod);
  }

  removePod(name: string): void {
    this.live.delete(name);
    if (this.cacheFollows) this.cache.delete(name);
  }

  syncCache(): void {
    this.cache = new Map(this.live);
  }

  get state(): string {
    return this.app.status?.applicationState?.state ?? '';
  }

  /** One reconcile at `now`. `crashAfterActions`: perform the actions, then stop without writing anything. */
  reconcile(now: number, opts: { crashAfterActions?: boolean } = {}): Decision {
    const targets = observationTargets(this.app);
    const driverPod = this.cache.get(targets.driverPodName);
    const uiService = this.services.get(targets.uiServiceName);
    const base: DecideInput = {
      app: this.app,
      ...(driverPod ? { driverPod } : {}),
      executorPods: this.executors,
      ...(uiService ? { uiService } : {}),
      now,
      settings: this.settings,
    };
    this.lastInput = base;
    const first = decide(base);
    const feedback = this.perform(first.actions);
    if (opts.crashAfterActions) return first;
    let final = first;
    if (first.awaiting) {
      if (!feedback) throw new Error('decision awaits feedback but no action produced any');
      final = decide({ ...base, feedback });
      if (final.awaiting) throw new Error('a decision with feedback must not await again');
    }
    if (final.statusChanged) this.app = { ...this.app, status: final.status };
    this.log.push({ now, first, final });
    return final;
  }

  private perform(actions: readonly Action[]): Feedback | undefined {
    let feedback: Feedback | undefined;
    for (const a of actions) {
      switch (a.kind) {
        case 'RecordSpecHash':
          this.app = {
            ...this.app,
            metadata: {
              ...this.app.metadata,
              annotations: { ...this.app.metadata.annotations, [a.annotation]: a.hash },
            },
          };
          break;
        case 'SubmitDriver': {
          const existing = this.live.get(a.driverPodName);
          if (existing) {
            feedback =
              existing.labels?.[SUBMISSION_ID_LABEL] === a.submissionID
                ? { kind: 'SubmissionResult', submissionID: a.submissionID, result: 'Submitted' }
                : {
                    kind: 'SubmissionResult',
                    submissionID: a.submissionID,
                    result: 'Blocked',
                    message: 'pods "pi-driver" already exists',
                  };
            break;
          }
          const failure = this.failSubmissions.shift();
          if (failure !== undefined) {
            feedback = { kind: 'SubmissionResult', submissionID: a.submissionID, result: 'Failed', message: failure };
            break;
          }
          this.putPod({
            ...driverPod('Pending', { submissionID: a.submissionID, name: a.driverPodName }),
            uid: `pod-${++this.uidSeq}`,
          });
          feedback = { kind: 'SubmissionResult', submissionID: a.submissionID, result: 'Submitted' };
          break;
        }
        case 'ConfirmDriverMissing':
          feedback = { kind: 'DriverLiveCheck', submissionID: a.submissionID, pod: this.live.get(a.podName) ?? null };
          break;
        case 'DeleteDriverResources': {
          const pod = this.live.get(a.podName);
          if (pod && (!a.podUID || pod.uid === a.podUID)) this.removePod(a.podName);
          if (a.uiServiceName) this.services.delete(a.uiServiceName);
          break;
        }
        case 'EnsureUIService':
          if (!this.services.has(a.name))
            this.services.set(a.name, { name: a.name, clusterIP: '10.0.0.7', port: a.port });
          break;
        case 'EnsureUIIngress':
          break;
        case 'DeleteApplication':
          this.deleted = true;
          break;
      }
    }
    return feedback;
  }

  /** The driver pod of the current submission moves to `phase` (exit code for terminated containers). */
  driverTo(phase: string, exitCode?: number): void {
    const name = this.app.status?.driverInfo?.podName ?? 'pi-driver';
    const pod = this.live.get(name);
    if (!pod) throw new Error(`no driver pod ${name}`);
    const submissionID = pod.labels?.[SUBMISSION_ID_LABEL];
    this.putPod({
      ...driverPod(phase, {
        name,
        ...(submissionID ? { submissionID } : {}),
        ...(exitCode !== undefined ? { exitCode } : {}),
      }),
      ...(pod.uid ? { uid: pod.uid } : {}),
    });
  }
}
