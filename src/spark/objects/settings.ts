// What the operator's flags decide about the objects built here (UI Service and Ingress, batch-scheduler plans).

/** One TLS entry of the UI Ingress (--ingress-tls). */
export interface IngressTls {
  readonly hosts?: readonly string[];
  readonly secretName?: string;
}

export interface BatchSchedulerSettings {
  /** --enable-batch-scheduler: without it a named batch scheduler is ignored, as kubeflow does, with a Warning event. */
  readonly enabled: boolean;
  /** --kube-scheduler-names: scheduler names served by the kube-scheduler coscheduling plugin. */
  readonly kubeSchedulerNames: readonly string[];
  /** --default-batch-scheduler: used by applications that name none. */
  readonly defaultBatchScheduler: string;
}

export interface UiSettings {
  /** --enable-ui-service. */
  readonly enableUiService: boolean;
  /** --ingress-url-format: {{$appName}}, {{$appNamespace}}, {{$appId}}; empty: no Ingress. */
  readonly ingressUrlFormat: string;
  readonly ingressClassName: string;
  readonly ingressTls: readonly IngressTls[];
  readonly ingressAnnotations: Readonly<Record<string, string>>;
}
