// What the controller caches. Only objects carrying sparkop's launched-by label enter the pod, Service and
// ConfigMap caches (a server-side selector), so memory stays flat in clusters full of unrelated pods (kubeflow #3028).
import type { V1ObjectMeta, V1Pod } from '@kubernetes/client-node';
import {
  gvkString,
  type KindScope,
  type KubeObject,
  MessageProjection,
  MetadataProjection,
  type ObjectMetaField,
  ObjectProjection,
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

/**
 * What the pod cache keeps of a pod, about a tenth of the object (spec, images, IPs and all conditions but a failed
 * PodScheduled are never read from the cache; 50 000 executor pods made them most of the RSS). Field numbers:
 * k8s.io/api core/v1 generated.proto.
 *
 * Contract: a reader of cached pods sees only these fields; a field added here reaches it from JSON and protobuf
 * answers alike. test/unit/controller-sparkapplication-scope.test.ts runs every reader of cached pods (summarizePod,
 * podApplicationKey, the SparkConnect executor filter) on recording proxies and fails on any path this drops. The
 * Spark simulator (development only) reads metadata.annotations, ownerReferences, deletionTimestamp, status.phase and
 * startTime, and the full driver from the API server. Writers never send a cached pod back (patches are built from
 * scratch), so nothing is lost on the server.
 */
export const POD_PROJECTION = new ObjectProjection('v1', 'Pod', [
  { name: 'metadata', tag: 1, type: new MetadataProjection(CACHED_META_FIELDS) },
  {
    name: 'status',
    tag: 3,
    type: new MessageProjection([
      { name: 'phase', tag: 1, type: 'sharedString' },
      { name: 'reason', tag: 4, type: 'sharedString' },
      { name: 'message', tag: 3, type: 'sharedString' },
      { name: 'startTime', tag: 7, type: 'time' },
      {
        name: 'conditions',
        tag: 2,
        repeated: true,
        // The lifecycle reports an unschedulable driver; a pod has at most one condition of each type.
        first: (c) => c.type === 'PodScheduled' && c.status === 'False',
        type: new MessageProjection([
          { name: 'type', tag: 1, type: 'sharedString', presence: 'always' },
          { name: 'status', tag: 2, type: 'sharedString', presence: 'always' },
          { name: 'reason', tag: 5, type: 'sharedString' },
          { name: 'message', tag: 6, type: 'string' },
        ]),
      },
      {
        name: 'containerStatuses',
        tag: 8,
        repeated: true,
        type: new MessageProjection([
          { name: 'name', tag: 1, type: 'sharedString', presence: 'always' },
          {
            name: 'state',
            tag: 2,
            // A running container's state keeps nothing: every one of them shares the projection's empty object.
            presence: 'always',
            type: new MessageProjection([
              {
                name: 'waiting',
                tag: 1,
                type: new MessageProjection([
                  { name: 'reason', tag: 1, type: 'sharedString' },
                  { name: 'message', tag: 2, type: 'string' },
                ]),
              },
              {
                name: 'terminated',
                tag: 3,
                type: new MessageProjection([
                  { name: 'exitCode', tag: 1, type: 'int32', presence: 'always' },
                  { name: 'reason', tag: 3, type: 'sharedString' },
                ]),
              },
            ]),
          },
        ]),
      },
    ]),
  },
]);

/**
 * What the Service cache keeps, on the same contract as POD_PROJECTION (and the same test). Readers: the
 * reconciler's observedService (metadata.name, spec.clusterIP, spec.ports[0].port), observedDriverIngressService
 * (metadata.name, labels, deletionTimestamp), SparkConnect's viewService (name, uid, ownerReferences, annotations,
 * deletionTimestamp), the controllers' event mapping (metadata.labels, namespace), the store and the event recorder.
 */
export const SERVICE_PROJECTION = new ObjectProjection('v1', 'Service', [
  { name: 'metadata', tag: 1, type: new MetadataProjection(CACHED_META_FIELDS) },
  {
    name: 'spec',
    tag: 2,
    type: new MessageProjection([
      { name: 'type', tag: 4, type: 'sharedString' },
      // A cluster IP is shared only as "None" (every headless Service), but the pool is cheap for the rest.
      { name: 'clusterIP', tag: 3, type: 'sharedString' },
      {
        name: 'ports',
        tag: 1,
        repeated: true,
        type: new MessageProjection([
          { name: 'name', tag: 1, type: 'sharedString' },
          { name: 'protocol', tag: 2, type: 'sharedString' },
          { name: 'appProtocol', tag: 6, type: 'sharedString', presence: 'whenSet' },
          { name: 'port', tag: 3, type: 'int32', presence: 'always' },
          { name: 'targetPort', tag: 4, type: 'intOrString', presence: 'always' },
          { name: 'nodePort', tag: 5, type: 'int32' },
        ]),
      },
    ]),
  },
]);

export const slimPod = POD_PROJECTION.transform;
export const decodeSlimPod = POD_PROJECTION.decodeProtobuf;
export const slimService = SERVICE_PROJECTION.transform;
export const decodeSlimService = SERVICE_PROJECTION.decodeProtobuf;

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
