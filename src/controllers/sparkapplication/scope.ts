// What the controller caches. Only objects carrying sparkop's launched-by label enter the pod, Service and
// ConfigMap caches (a server-side selector), so memory stays flat in clusters full of unrelated pods (kubeflow #3028).
import type {
  V1ContainerStatus,
  V1ObjectMeta,
  V1Pod,
  V1PodCondition,
  V1PodStatus,
  V1Service,
} from '@kubernetes/client-node';
import {
  decodeObjectMeta,
  decodeTime,
  fitted,
  gvkString,
  type KindScope,
  type KubeObject,
  type ObjectMetaField,
  ObjectMetaLayout,
  type ProtoReader,
  shareStrings,
} from '../../runtime/index.ts';
import { APP_NAME_LABEL, ConfigMaps, LAUNCHED_BY_LABEL, Pods, Services, SparkApplications } from './kinds.ts';
import type { SparkApplicationControllerSettings } from './settings.ts';

export const LAUNCHED_BY_SELECTOR = `${LAUNCHED_BY_LABEL}=true`;

/** Index of pods by the application they belong to: "namespace/app-name". */
export const PODS_BY_APPLICATION = 'sparkapplication';

export function podApplicationKey(pod: Pick<V1Pod, 'metadata'>): readonly string[] {
  const app = pod.metadata?.labels?.[APP_NAME_LABEL];
  const namespace = pod.metadata?.namespace;
  return app && namespace ? [`${namespace}/${app}`] : [];
}

/**
 * The pod cache's transform: a cached pod keeps only what the operator reads of it, about a tenth of the object
 * (spec, images, IPs and all conditions but a failed PodScheduled are never read from the cache; 50 000 executor
 * pods made them most of the RSS).
 *
 * Contract: a reader of cached pods sees only these fields. A reader that needs another field adds it here (and
 * to the unit test, test/unit/controller-sparkapplication-scope.test.ts, which checks that summarizePod gives the same
 * answer for a full pod and its slim form). What reads cached pods, and what it reads:
 * - the store and the event recorder: apiVersion, kind, metadata.namespace/name/uid/resourceVersion;
 * - summarizePod (spark/lifecycle/observe.ts), hence the reconciler and executor tracking: metadata.name, uid,
 *   labels, deletionTimestamp; status.phase, reason, message; the PodScheduled condition when its status is False
 *   (type, status, reason, message); per container status its name, state.terminated (exitCode, reason) and
 *   state.waiting (reason, message);
 * - podApplicationKey and the controller's event mapping: metadata.labels, namespace;
 * - the Spark simulator (embedded mode): metadata.annotations, ownerReferences (its owns() mapping),
 *   deletionTimestamp, status.phase, startTime. It reads the full driver from the API server when it creates
 *   executors from it.
 * Writers never send a cached pod back (patches are built from scratch), so nothing is lost on the server.
 */
export function slimPod(obj: KubeObject): KubeObject {
  const pod = obj as V1Pod & KubeObject;
  const s = pod.status;
  const notScheduled = s?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  const status: V1PodStatus | undefined = s && {
    ...pick(s, ['phase', 'reason', 'message', 'startTime']),
    ...(notScheduled ? { conditions: [pick(notScheduled, ['type', 'status', 'reason', 'message'])] } : {}),
    ...(s.containerStatuses ? { containerStatuses: s.containerStatuses.map(slimContainerStatus) } : {}),
  };
  return { ...typeAndMeta(pod), ...(status ? { status } : {}) };
}

/**
 * The Service cache's transform, on the same contract as slimPod (test in the same file). Readers: the reconciler's
 * observedService (metadata.name, spec.clusterIP, spec.ports[0].port), observedDriverIngressService (metadata.name,
 * labels, deletionTimestamp), the controller's event mapping
 * (metadata.labels, namespace), the store and the event recorder (identity, resourceVersion).
 */
export function slimService(obj: KubeObject): KubeObject {
  const svc = obj as V1Service & KubeObject;
  const spec = svc.spec && pick(svc.spec, ['type', 'clusterIP', 'ports']);
  return { ...typeAndMeta(svc), ...(spec ? { spec } : {}) };
}

/**
 * slimService straight from the Service's protobuf (the Service cache's KindScope.decodeProtobuf), on the same terms
 * as decodeSlimPod. Field numbers (core/v1 generated.proto): Service: metadata 1, spec 2; ServiceSpec: ports 1,
 * clusterIP 3, type 4; ServicePort: name 1, protocol 2, port 3, targetPort 4 (IntOrString: type 1, intVal 2, strVal
 * 3), nodePort 5, appProtocol 6.
 */
export function decodeSlimService(r: ProtoReader): KubeObject {
  let metadata: V1ObjectMeta = {};
  let spec: Record<string, unknown> | undefined;
  while (r.next()) {
    if (r.field === 1) metadata = decodeObjectMeta(r.message(), SERVICE_META) as V1ObjectMeta;
    else if (r.field === 2) spec = decodeSlimServiceSpec(r.message());
    else r.skip();
  }
  return { apiVersion: 'v1', kind: 'Service', metadata, ...(spec ? { spec } : {}) };
}

function decodeSlimServiceSpec(r: ProtoReader): Record<string, unknown> {
  let type = '';
  let clusterIP = '';
  const ports: Record<string, unknown>[] = [];
  while (r.next()) {
    if (r.field === 1) ports.push(decodeServicePort(r.message()));
    // A cluster IP is shared only as "None" (every headless Service), but the pool is cheap for the rest.
    else if (r.field === 3) clusterIP = r.sharedString();
    else if (r.field === 4) type = r.sharedString();
    else r.skip();
  }
  // slimService's order; JSON omits an empty type, clusterIP and ports list.
  const spec: Record<string, unknown> = {};
  if (type) spec.type = type;
  if (clusterIP) spec.clusterIP = clusterIP;
  if (ports.length > 0) spec.ports = fitted(ports);
  return spec;
}

function decodeServicePort(r: ProtoReader): Record<string, unknown> {
  let name = '';
  let protocol = '';
  let appProtocol: string | undefined;
  let port = 0;
  let targetPort: number | string = 0;
  let nodePort = 0;
  while (r.next()) {
    switch (r.field) {
      case 1:
        name = r.sharedString();
        break;
      case 2:
        protocol = r.sharedString();
        break;
      case 3:
        port = r.int32();
        break;
      case 4: {
        const t = r.message();
        let isString = false;
        let intVal = 0;
        let strVal = '';
        while (t.next()) {
          if (t.field === 1) isString = t.int64() === 1;
          else if (t.field === 2) intVal = t.int32();
          else if (t.field === 3) strVal = t.sharedString();
          else t.skip();
        }
        targetPort = isString ? strVal : intVal;
        break;
      }
      case 5:
        nodePort = r.int32();
        break;
      case 6:
        appProtocol = r.sharedString(); // a pointer: present when set, even empty
        break;
      default:
        r.skip();
    }
  }
  // JSON's order: name, protocol, appProtocol (omitempty pointer), port (always), targetPort (always), nodePort.
  const out: Record<string, unknown> = {};
  if (name) out.name = name;
  if (protocol) out.protocol = protocol;
  if (appProtocol !== undefined) out.appProtocol = appProtocol;
  out.port = port;
  out.targetPort = targetPort;
  if (nodePort) out.nodePort = nodePort;
  return out;
}

/** kubectl apply's record of the last applied manifest: a whole copy of the spec, read by no one here. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The SparkApplication cache's transform: the whole object (the reconciler reads the spec to submit) without
 * managedFields and without LAST_APPLIED_ANNOTATION, which doubles the size of every application that users
 * `kubectl apply`. Writers never send a cached application back whole except as a status update, where the API
 * server ignores metadata.
 */
export function slimApplication(obj: KubeObject): KubeObject {
  const { managedFields: _managed, annotations, ...metadata } = obj.metadata ?? {};
  // Applications share most of their spec's values (image, main class, files, service account) and their
  // apiVersion and kind: one copy of each (about 300 heap bytes per application of the scale bench).
  const shared: KubeObject & { spec?: unknown } = { ...obj };
  if (shared.apiVersion) shared.apiVersion = shareStrings(shared.apiVersion);
  if (shared.kind) shared.kind = shareStrings(shared.kind);
  if (shared.spec) shared.spec = shareStrings(shared.spec);
  if (annotations && LAST_APPLIED_ANNOTATION in annotations) {
    const { [LAST_APPLIED_ANNOTATION]: _applied, ...rest } = annotations;
    return { ...shared, metadata: { ...metadata, ...(Object.keys(rest).length > 0 ? { annotations: rest } : {}) } };
  }
  return { ...shared, metadata: { ...metadata, ...(annotations ? { annotations } : {}) } };
}

/** The metadata every reader may use, in this order (managedFields and the rest dropped). */
const CACHED_META_FIELDS = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
] as const satisfies readonly (keyof V1ObjectMeta & ObjectMetaField)[];

/** How the decoders lay out the metadata they keep: each kind its own (their labels differ in number). */
const POD_META = new ObjectMetaLayout(CACHED_META_FIELDS);
const SERVICE_META = new ObjectMetaLayout(CACHED_META_FIELDS);

/** apiVersion, kind and the metadata every reader may use. */
function typeAndMeta(obj: KubeObject): KubeObject {
  const metadata: V1ObjectMeta = pick(obj.metadata ?? {}, CACHED_META_FIELDS);
  return {
    ...(obj.apiVersion ? { apiVersion: obj.apiVersion } : {}),
    ...(obj.kind ? { kind: obj.kind } : {}),
    metadata,
  };
}

/**
 * The state of a running container, as slimPod keeps it (empty: it reads only terminated and waiting). One frozen
 * object for every running container instead of 56 heap bytes each; the cache freezes what it stores anyway.
 */
const NO_STATE: V1ContainerStatus['state'] = Object.freeze({});

function slimContainerStatus(c: V1ContainerStatus): V1ContainerStatus {
  const terminated = c.state?.terminated;
  const waiting = c.state?.waiting && pick(c.state.waiting, ['reason', 'message']);
  const state = terminated
    ? { terminated: pick(terminated, ['exitCode', 'reason']) }
    : waiting && (waiting.reason || waiting.message)
      ? { waiting }
      : NO_STATE;
  // image, imageID, ready, restartCount are required by the model type but read by no one here.
  return { name: c.name, state } as V1ContainerStatus;
}

/**
 * slimPod straight from the pod's protobuf (the pod cache's KindScope.decodeProtobuf): the same object slimPod makes
 * of the JSON answer, without building the rest. spec and managedFields, most of a pod's bytes, are skipped
 * unread. Field numbers: k8s.io/api core/v1 generated.proto (Pod: metadata 1, spec 2, status 3; PodStatus: phase 1,
 * conditions 2, message 3, reason 4, startTime 7, containerStatuses 8; PodCondition: type 1, status 2, reason 5,
 * message 6; ContainerStatus: name 1, state 2; ContainerState: waiting 1, terminated 3; ContainerStateWaiting:
 * reason 1, message 2; ContainerStateTerminated: exitCode 1, reason 3). A test compares both on real pods of the API
 * server (test/integration/runtime-protobuf.test.ts).
 */
export function decodeSlimPod(r: ProtoReader): KubeObject {
  let metadata: V1ObjectMeta = {};
  let status: V1PodStatus | undefined;
  while (r.next()) {
    if (r.field === 1) metadata = decodeObjectMeta(r.message(), POD_META) as V1ObjectMeta;
    else if (r.field === 3) status = decodeSlimPodStatus(r.message());
    else r.skip();
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata, ...(status ? { status } : {}) };
}

function decodeSlimPodStatus(r: ProtoReader): V1PodStatus {
  let phase = '';
  let reason = '';
  let message = '';
  let startTime: string | null = null;
  let notScheduled: V1PodCondition | undefined;
  const containerStatuses: V1ContainerStatus[] = [];
  while (r.next()) {
    switch (r.field) {
      case 1:
        phase = r.sharedString();
        break;
      case 2:
        // slimPod keeps the first such condition; a pod has at most one of each type.
        notScheduled ??= decodeNotScheduled(r.message());
        break;
      case 3:
        message = r.sharedString();
        break;
      case 4:
        reason = r.sharedString();
        break;
      case 7:
        startTime = decodeTime(r.message());
        break;
      case 8:
        containerStatuses.push(decodeSlimContainerStatus(r.message()));
        break;
      default:
        r.skip();
    }
  }
  // slimPod's order and omissions (JSON omits empty strings and an unset startTime).
  const status: Record<string, unknown> = {};
  if (phase) status.phase = phase;
  if (reason) status.reason = reason;
  if (message) status.message = message;
  if (startTime !== null) status.startTime = startTime;
  if (notScheduled) status.conditions = [notScheduled];
  if (containerStatuses.length > 0) status.containerStatuses = fitted(containerStatuses);
  return status as V1PodStatus;
}

/** A PodCondition as slimPod keeps it: only PodScheduled when False, else undefined. */
function decodeNotScheduled(r: ProtoReader): V1PodCondition | undefined {
  let type = '';
  let status = '';
  let reason = '';
  let message = '';
  while (r.next()) {
    if (r.field === 1) type = r.sharedString();
    else if (r.field === 2) status = r.sharedString();
    else if (r.field === 5) reason = r.sharedString();
    else if (r.field === 6) message = r.string();
    else r.skip();
  }
  if (type !== 'PodScheduled' || status !== 'False') return undefined;
  // JSON's order and omissions: type and status always, reason and message when not empty.
  const condition: V1PodCondition = { type, status };
  if (reason) condition.reason = reason;
  if (message) condition.message = message;
  return condition;
}

function decodeSlimContainerStatus(r: ProtoReader): V1ContainerStatus {
  let name = '';
  let state: V1ContainerStatus['state'] = NO_STATE;
  while (r.next()) {
    if (r.field !== 2) {
      if (r.field === 1) name = r.sharedString();
      else r.skip();
      continue;
    }
    const s = r.message();
    let waiting: { reason?: string; message?: string } | undefined;
    let terminated: { exitCode: number; reason?: string } | undefined;
    while (s.next()) {
      if (s.field === 1) {
        const w = s.message();
        let reason = '';
        let message = '';
        while (w.next()) {
          if (w.field === 1) reason = w.sharedString();
          else if (w.field === 2) message = w.string();
          else w.skip();
        }
        waiting = reason || message ? { ...(reason ? { reason } : {}), ...(message ? { message } : {}) } : undefined;
      } else if (s.field === 3) {
        const t = s.message();
        let exitCode = 0;
        let reason = '';
        while (t.next()) {
          if (t.field === 1) exitCode = t.int32();
          else if (t.field === 3) reason = t.sharedString();
          else t.skip();
        }
        terminated = reason ? { exitCode, reason } : { exitCode };
      } else s.skip();
    }
    state = terminated ? { terminated } : waiting ? { waiting } : NO_STATE;
  }
  return { name, state } as V1ContainerStatus;
}

/** The fields of `obj` named in `keys` that are set (undefined ones are left out, not copied as undefined). */
function pick<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Pick<T, K> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out as Pick<T, K>;
}

/**
 * Cache scopes for the manager (pass them as ManagerOptions.cacheScopes): the scopes are fixed when the cache is
 * built, so the operator process asks for them before it constructs its Manager.
 */
export function cacheScopes(
  settings: Pick<SparkApplicationControllerSettings, 'namespaces' | 'labelSelectorFilter'>,
): Map<string, KindScope> {
  const namespaces = settings.namespaces.length > 0 ? { namespaces: [...settings.namespaces].sort() } : {};
  const ours: KindScope = { ...namespaces, labelSelector: LAUNCHED_BY_SELECTOR };
  return new Map<string, KindScope>([
    [
      gvkString(SparkApplications),
      {
        ...namespaces,
        ...(settings.labelSelectorFilter ? { labelSelector: settings.labelSelectorFilter } : {}),
        transform: slimApplication,
      },
    ],
    [gvkString(Pods), { ...ours, transform: slimPod, decodeProtobuf: decodeSlimPod }],
    [gvkString(Services), { ...ours, transform: slimService, decodeProtobuf: decodeSlimService }],
    [gvkString(ConfigMaps), ours],
  ]);
}
