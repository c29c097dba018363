// The SparkConnect domain, pure: names and labels, the server pod, Service and ConfigMap, and decide().
export {
  type ConnectAction,
  type ConnectEvent,
  type ConnectObservation,
  type ConnectPlan,
  type ConnectReason,
  decide,
  ownedExecutorPhases,
  RESTART_BACKOFF,
  restartDelayMs,
  SERVER_POD_READY,
  type ServerView,
  type ServiceView,
  viewServerPod,
  viewService,
} from './decide.ts';
export * from './names.ts';
export {
  type ConnectSettings,
  ConnectSpecError,
  confFromArgs,
  connectSpecHash,
  DEFAULT_CONNECT_SETTINGS,
  desiredConfigMap,
  desiredServerPod,
  desiredService,
  executorImage,
  ownerReference,
  SERVER_COMMAND,
  serverArgs,
  serverConf,
  serverImage,
} from './resources.ts';
