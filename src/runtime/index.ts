// The controller runtime's public surface. It knows nothing of Spark: any operator can build on it.

export {
  type BackgroundStart,
  BackgroundTasks,
  type BackgroundTasksOptions,
} from './background.ts';
export { BuilderError, type BuilderOptions, ControllerBuilder, type ControllerHost, controllerFor } from './builder.ts';
export { Cache, type CacheHealth, type CacheOptions, type KindScope, stripManagedFields } from './cache/cache.ts';
export type { Informer, InformerEventHandler, ListFilter, Registration } from './cache/types.ts';
export type { InitialState } from './cache/watcher.ts';
export {
  type Client,
  type ClientOptions,
  type DeleteAllOfOptions,
  type DeleteOptions,
  type Kind,
  kind,
  type ListOptions,
  newClient,
  type Reader,
  type StatusWriter,
  type WriteOptions,
  type Writer,
} from './client/client.ts';
export {
  applyPatch,
  type JsonPatchOperation,
  jsonPatch,
  mergePatch,
  type Patch,
  strategicMergePatch,
} from './client/patch.ts';
export { type Clock, FakeClock, realClock, type TimerHandle } from './clock.ts';
export { CacheSyncTimeoutError, Controller, type ControllerOptions, ControllerStartError } from './controller.ts';
export * from './errors.ts';
export {
  type CoreEvent,
  clientEventSink,
  EventBroadcaster,
  type EventBroadcasterOptions,
  type EventRecorder,
  type EventSink,
  type EventType,
  InvalidEventError,
} from './events.ts';
export {
  type EventHandler,
  enqueueForControllerOwner,
  enqueueForObject,
  enqueueForOwner,
  enqueueMapped,
  type OwnerKind,
  type OwnerOptions,
  type RequestQueue,
} from './handler.ts';
export {
  LeaderElectionConfigError,
  type LeaderElectionOptions,
  LeaderElector,
  type LeaderRecord,
  type LeaseLock,
  leaseLock,
  type TermEnd,
} from './leaderelection.ts';
export { InvalidLogLevelError, type Logger, type LogOptions, newLogger, silentLogger } from './log.ts';
export {
  type Check,
  type LeaderElectionConfig,
  LeaderElectionLostError,
  Manager,
  type ManagerCache,
  ManagerError,
  type ManagerOptions,
  type Runnable,
  type RunOptions,
} from './manager.ts';
export { newRegistry, type ReconcileResultLabel, RuntimeMetrics } from './metrics.ts';
export {
  apiVersionOf,
  type GroupVersionKind,
  gvk,
  gvkString,
  type KubeObject,
  keyOf,
  keyString,
  type ObjectKey,
  parseKey,
} from './object.ts';
export type { CreateEvent, DeleteEvent, GenericEvent, Predicate, UpdateEvent } from './predicate.ts';
export * as predicates from './predicate.ts';
export {
  decide,
  InvalidResultError,
  isTerminal,
  type ReconcileContext,
  type Reconciler,
  type Request,
  type Result,
  TerminalError,
} from './reconcile.ts';
export { type HttpRequest, type HttpResponse, HttpTransport } from './rest/http.ts';
export {
  asClientNodeKubeConfig,
  clientNodeKubeConfig,
  type KubeAccess,
  type KubeConfigSource,
  loadKubeAccess,
} from './rest/kubeconfig.ts';
export {
  decodeObjectMeta,
  decodeStatus,
  MetadataProjection,
  type ObjectMetaField,
} from './rest/metav1.ts';
export {
  MessageProjection,
  ObjectProjection,
  type Presence,
  type ProjectedField,
  type ScalarType,
} from './rest/projection.ts';
export {
  decodeList,
  decodeTime,
  fitted,
  type ProtobufObjectDecoder,
  ProtoReader,
  plainObjectMaker,
  shareStrings,
} from './rest/protobuf.ts';
export { serverVersion } from './rest/restclient.ts';
export { GenericSource, type InformerProvider, KindSource, type Source } from './source.ts';
export { WorkQueue, type WorkQueueOptions } from './workqueue/queue.ts';
export {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  type RateLimiter,
} from './workqueue/ratelimiter.ts';
