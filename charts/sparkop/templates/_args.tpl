{{/* Generated from OPERATOR_FLAGS and src/deploy/kubeflow-values.ts by scripts/helm/generate-chart.ts; do not edit by hand. */}}
{{- define "sparkop.value.namespaces" -}}
{{ include "sparkop.jobNamespaces" . | fromJsonArray | join "," }}
{{- end }}
{{- define "sparkop.value.namespace-selector" -}}
{{- if include "sparkop.kubeflow.set" (list . "spark.jobNamespaceSelector") -}}
{{ .Values.spark.jobNamespaceSelector | toString }}
{{- else -}}
{{ .Values.operator.namespaceSelector | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.label-selector-filter" -}}
{{ .Values.operator.labelSelectorFilter | toString }}
{{- end }}
{{- define "sparkop.value.controller-threads" -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.workers") -}}
{{ int64 .Values.controller.workers }}
{{- else -}}
{{ int64 .Values.operator.controllerThreads }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.cache-sync-timeout" -}}
{{ .Values.operator.cacheSyncTimeout | toString }}
{{- end }}
{{- define "sparkop.value.stream-initial-state" -}}
{{ .Values.operator.streamInitialState | toString }}
{{- end }}
{{- define "sparkop.value.max-tracked-executor-per-app" -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.maxTrackedExecutorPerApp") -}}
{{ int64 .Values.controller.maxTrackedExecutorPerApp }}
{{- else -}}
{{ int64 .Values.operator.maxTrackedExecutorPerApp }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.workqueue-ratelimiter-bucket-qps" -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.workqueueRateLimiter.bucketQPS") -}}
{{ int64 .Values.controller.workqueueRateLimiter.bucketQPS }}
{{- else -}}
{{ int64 .Values.operator.workqueueRatelimiterBucketQps }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.workqueue-ratelimiter-bucket-size" -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.workqueueRateLimiter.bucketSize") -}}
{{ int64 .Values.controller.workqueueRateLimiter.bucketSize }}
{{- else -}}
{{ int64 .Values.operator.workqueueRatelimiterBucketSize }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.workqueue-ratelimiter-max-delay" -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.workqueueRateLimiter.maxDelay.duration") -}}
{{ .Values.controller.workqueueRateLimiter.maxDelay.duration | toString }}
{{- else -}}
{{ .Values.operator.workqueueRatelimiterMaxDelay | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.enable-batch-scheduler" -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.batchScheduler.enable") -}}
{{ .Values.controller.batchScheduler.enable | toString }}
{{- else -}}
{{ .Values.operator.enableBatchScheduler | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.kube-scheduler-names" -}}
{{- if and (include "sparkop.kubeflow.on" (list . "controller.batchScheduler.enable")) (include "sparkop.kubeflow.set" (list . "controller.batchScheduler.kubeSchedulerNames")) -}}
{{ join "," .Values.controller.batchScheduler.kubeSchedulerNames }}
{{- else -}}
{{ join "," .Values.operator.kubeSchedulerNames }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.default-batch-scheduler" -}}
{{- if and (include "sparkop.kubeflow.on" (list . "controller.batchScheduler.enable")) (include "sparkop.kubeflow.set" (list . "controller.batchScheduler.default")) -}}
{{ .Values.controller.batchScheduler.default | toString }}
{{- else -}}
{{ .Values.operator.defaultBatchScheduler | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.enable-ui-service" -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.uiService.enable") -}}
{{ .Values.controller.uiService.enable | toString }}
{{- else -}}
{{ .Values.operator.enableUiService | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.ingress-url-format" -}}
{{- if and (include "sparkop.kubeflow.on" (list . "controller.uiIngress.enable")) (include "sparkop.kubeflow.set" (list . "controller.uiIngress.urlFormat")) -}}
{{ .Values.controller.uiIngress.urlFormat | toString }}
{{- else -}}
{{ .Values.operator.ingressUrlFormat | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.ingress-class-name" -}}
{{- if and (include "sparkop.kubeflow.on" (list . "controller.uiIngress.enable")) (include "sparkop.kubeflow.set" (list . "controller.uiIngress.ingressClassName")) -}}
{{ .Values.controller.uiIngress.ingressClassName | toString }}
{{- else -}}
{{ .Values.operator.ingressClassName | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.ingress-tls" -}}
{{- if and (include "sparkop.kubeflow.on" (list . "controller.uiIngress.enable")) (include "sparkop.kubeflow.set" (list . "controller.uiIngress.tls")) -}}
{{ with .Values.controller.uiIngress.tls }}{{ toJson . }}{{ end }}
{{- else -}}
{{ with .Values.operator.ingressTls }}{{ toJson . }}{{ end }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.ingress-annotations" -}}
{{- if and (include "sparkop.kubeflow.on" (list . "controller.uiIngress.enable")) (include "sparkop.kubeflow.set" (list . "controller.uiIngress.annotations")) -}}
{{ with .Values.controller.uiIngress.annotations }}{{ toJson . }}{{ end }}
{{- else -}}
{{ with .Values.operator.ingressAnnotations }}{{ toJson . }}{{ end }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.driver-pod-creation-grace-period" -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.driverPodCreationGracePeriod") -}}
{{ .Values.controller.driverPodCreationGracePeriod | toString }}
{{- else -}}
{{ .Values.operator.driverPodCreationGracePeriod | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.submitter" -}}
{{ .Values.operator.submitter | toString }}
{{- end }}
{{- define "sparkop.value.spark-home" -}}
{{ .Values.operator.sparkHome | toString }}
{{- end }}
{{- define "sparkop.configured.leader-election" -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.leaderElection.enable") -}}
{{ .Values.controller.leaderElection.enable | toString }}
{{- else -}}
{{ .Values.operator.leaderElection | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.leader-election" -}}
{{ include "sparkop.leaderElection" . }}
{{- end }}
{{- define "sparkop.value.leader-election-lock-name" -}}
{{ .Values.operator.leaderElectionLockName | toString }}
{{- end }}
{{- define "sparkop.value.leader-election-lock-namespace" -}}
{{ include "sparkop.leaseNamespace" . }}
{{- end }}
{{- define "sparkop.value.leader-election-lease-duration" -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.leaderElection.leaseDuration") -}}
{{ .Values.controller.leaderElection.leaseDuration | toString }}
{{- else -}}
{{ .Values.operator.leaderElectionLeaseDuration | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.leader-election-renew-deadline" -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.leaderElection.renewDeadline") -}}
{{ .Values.controller.leaderElection.renewDeadline | toString }}
{{- else -}}
{{ .Values.operator.leaderElectionRenewDeadline | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.leader-election-retry-period" -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.leaderElection.retryPeriod") -}}
{{ .Values.controller.leaderElection.retryPeriod | toString }}
{{- else -}}
{{ .Values.operator.leaderElectionRetryPeriod | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.enable-metrics" -}}
{{- if include "sparkop.kubeflow.set" (list . "prometheus.metrics.enable") -}}
{{ .Values.prometheus.metrics.enable | toString }}
{{- else -}}
{{ .Values.operator.enableMetrics | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.metrics-bind-address" -}}
{{- if include "sparkop.kubeflow.set" (list . "prometheus.metrics.port") -}}
{{ printf ":%d" (int64 .Values.prometheus.metrics.port) }}
{{- else -}}
{{ .Values.operator.metricsBindAddress | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.metrics-endpoint" -}}
{{- if include "sparkop.kubeflow.set" (list . "prometheus.metrics.endpoint") -}}
{{ .Values.prometheus.metrics.endpoint | toString }}
{{- else -}}
{{ .Values.operator.metricsEndpoint | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.metrics-prefix" -}}
{{- if include "sparkop.kubeflow.set" (list . "prometheus.metrics.prefix") -}}
{{ .Values.prometheus.metrics.prefix | toString }}
{{- else -}}
{{ .Values.operator.metricsPrefix | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.metrics-labels" -}}
{{- if include "sparkop.kubeflow.set" (list . "prometheus.metrics.labels") -}}
{{ join "," .Values.prometheus.metrics.labels }}
{{- else -}}
{{ join "," .Values.operator.metricsLabels }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.metrics-job-start-latency-buckets" -}}
{{- if include "sparkop.kubeflow.set" (list . "prometheus.metrics.jobStartLatencyBuckets") -}}
{{ join "," .Values.prometheus.metrics.jobStartLatencyBuckets }}
{{- else -}}
{{ join "," .Values.operator.metricsJobStartLatencyBuckets }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.health-probe-bind-address" -}}
{{ .Values.operator.healthProbeBindAddress | toString }}
{{- end }}
{{- define "sparkop.value.kube-api-qps" -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.kubeAPIQPS") -}}
{{ .Values.controller.kubeAPIQPS | toString }}
{{- else -}}
{{ .Values.operator.kubeApiQps | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.kube-api-burst" -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.kubeAPIBurst") -}}
{{ int64 .Values.controller.kubeAPIBurst }}
{{- else -}}
{{ int64 .Values.operator.kubeApiBurst }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.log-level" -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.logLevel") -}}
{{ .Values.controller.logLevel | toString }}
{{- else -}}
{{ .Values.operator.logLevel | toString }}
{{- end -}}
{{- end }}
{{- define "sparkop.value.log-format" -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.logEncoder") -}}
{{- $k := .Values.controller.logEncoder | toString -}}{{ if eq $k "console" }}pretty{{ else if eq $k "json" }}json{{ else }}{{ fail (printf "controller.logEncoder=%s is not supported: sparkop accepts console or json" $k) }}{{ end }}
{{- else -}}
{{ .Values.operator.logFormat | toString }}
{{- end -}}
{{- end }}

{{- define "sparkop.args" -}}
{{- with include "sparkop.value.namespaces" . }}
- {{ printf "--namespaces=%v" . | quote }}
{{- end }}
{{- with include "sparkop.value.namespace-selector" . }}
- {{ printf "--namespace-selector=%v" . | quote }}
{{- end }}
{{- with include "sparkop.value.label-selector-filter" . }}
- {{ printf "--label-selector-filter=%v" . | quote }}
{{- end }}
- {{ printf "--controller-threads=%v" (include "sparkop.value.controller-threads" .) | quote }}
- {{ printf "--cache-sync-timeout=%v" (include "sparkop.value.cache-sync-timeout" .) | quote }}
- {{ printf "--stream-initial-state=%v" (include "sparkop.value.stream-initial-state" .) | quote }}
- {{ printf "--max-tracked-executor-per-app=%v" (include "sparkop.value.max-tracked-executor-per-app" .) | quote }}
- {{ printf "--workqueue-ratelimiter-bucket-qps=%v" (include "sparkop.value.workqueue-ratelimiter-bucket-qps" .) | quote }}
- {{ printf "--workqueue-ratelimiter-bucket-size=%v" (include "sparkop.value.workqueue-ratelimiter-bucket-size" .) | quote }}
- {{ printf "--workqueue-ratelimiter-max-delay=%v" (include "sparkop.value.workqueue-ratelimiter-max-delay" .) | quote }}
- {{ printf "--enable-batch-scheduler=%v" (include "sparkop.value.enable-batch-scheduler" .) | quote }}
{{- with include "sparkop.value.kube-scheduler-names" . }}
- {{ printf "--kube-scheduler-names=%v" . | quote }}
{{- end }}
{{- with include "sparkop.value.default-batch-scheduler" . }}
- {{ printf "--default-batch-scheduler=%v" . | quote }}
{{- end }}
- {{ printf "--enable-ui-service=%v" (include "sparkop.value.enable-ui-service" .) | quote }}
{{- with include "sparkop.value.ingress-url-format" . }}
- {{ printf "--ingress-url-format=%v" . | quote }}
{{- end }}
{{- with include "sparkop.value.ingress-class-name" . }}
- {{ printf "--ingress-class-name=%v" . | quote }}
{{- end }}
{{- with include "sparkop.value.ingress-tls" . }}
- {{ printf "--ingress-tls=%v" . | quote }}
{{- end }}
{{- with include "sparkop.value.ingress-annotations" . }}
- {{ printf "--ingress-annotations=%v" . | quote }}
{{- end }}
- {{ printf "--driver-pod-creation-grace-period=%v" (include "sparkop.value.driver-pod-creation-grace-period" .) | quote }}
- {{ printf "--submitter=%v" (include "sparkop.value.submitter" .) | quote }}
{{- with include "sparkop.value.spark-home" . }}
- {{ printf "--spark-home=%v" . | quote }}
{{- end }}
- {{ printf "--leader-election=%v" (include "sparkop.value.leader-election" .) | quote }}
- {{ printf "--leader-election-lock-name=%v" (include "sparkop.value.leader-election-lock-name" .) | quote }}
{{- with include "sparkop.value.leader-election-lock-namespace" . }}
- {{ printf "--leader-election-lock-namespace=%v" . | quote }}
{{- end }}
- {{ printf "--leader-election-lease-duration=%v" (include "sparkop.value.leader-election-lease-duration" .) | quote }}
- {{ printf "--leader-election-renew-deadline=%v" (include "sparkop.value.leader-election-renew-deadline" .) | quote }}
- {{ printf "--leader-election-retry-period=%v" (include "sparkop.value.leader-election-retry-period" .) | quote }}
- {{ printf "--enable-metrics=%v" (include "sparkop.value.enable-metrics" .) | quote }}
- {{ printf "--metrics-bind-address=%v" (include "sparkop.value.metrics-bind-address" .) | quote }}
- {{ printf "--metrics-endpoint=%v" (include "sparkop.value.metrics-endpoint" .) | quote }}
{{- with include "sparkop.value.metrics-prefix" . }}
- {{ printf "--metrics-prefix=%v" . | quote }}
{{- end }}
{{- with include "sparkop.value.metrics-labels" . }}
- {{ printf "--metrics-labels=%v" . | quote }}
{{- end }}
- {{ printf "--metrics-job-start-latency-buckets=%v" (include "sparkop.value.metrics-job-start-latency-buckets" .) | quote }}
- {{ printf "--health-probe-bind-address=%v" (include "sparkop.value.health-probe-bind-address" .) | quote }}
- {{ printf "--kube-api-qps=%v" (include "sparkop.value.kube-api-qps" .) | quote }}
- {{ printf "--kube-api-burst=%v" (include "sparkop.value.kube-api-burst" .) | quote }}
- {{ printf "--log-level=%v" (include "sparkop.value.log-level" .) | quote }}
- {{ printf "--log-format=%v" (include "sparkop.value.log-format" .) | quote }}
- "--local=false"
- "--install-crds=false"
- "--spark-simulator=false"
{{- end }}
