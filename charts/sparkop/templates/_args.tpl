{{/* Generated from OPERATOR_FLAGS by scripts/helm/generate-chart.ts; do not edit by hand. */}}
{{- define "sparkop.args" -}}
{{- if .Values.spark.jobNamespaces }}
- {{ printf "--namespaces=%v" (join "," .Values.spark.jobNamespaces) | quote }}
{{- end }}
{{- if .Values.operator.namespaceSelector }}
- {{ printf "--namespace-selector=%v" (.Values.operator.namespaceSelector | toString) | quote }}
{{- end }}
{{- if .Values.operator.labelSelectorFilter }}
- {{ printf "--label-selector-filter=%v" (.Values.operator.labelSelectorFilter | toString) | quote }}
{{- end }}
- {{ printf "--controller-threads=%v" (int64 .Values.operator.controllerThreads) | quote }}
- {{ printf "--cache-sync-timeout=%v" (.Values.operator.cacheSyncTimeout | toString) | quote }}
- {{ printf "--relax-heap-growth-while-syncing=%v" (.Values.operator.relaxHeapGrowthWhileSyncing | toString) | quote }}
- {{ printf "--max-tracked-executor-per-app=%v" (int64 .Values.operator.maxTrackedExecutorPerApp) | quote }}
- {{ printf "--workqueue-ratelimiter-bucket-qps=%v" (int64 .Values.operator.workqueueRatelimiterBucketQps) | quote }}
- {{ printf "--workqueue-ratelimiter-bucket-size=%v" (int64 .Values.operator.workqueueRatelimiterBucketSize) | quote }}
- {{ printf "--workqueue-ratelimiter-max-delay=%v" (.Values.operator.workqueueRatelimiterMaxDelay | toString) | quote }}
- {{ printf "--enable-batch-scheduler=%v" (.Values.operator.enableBatchScheduler | toString) | quote }}
{{- if .Values.operator.kubeSchedulerNames }}
- {{ printf "--kube-scheduler-names=%v" (join "," .Values.operator.kubeSchedulerNames) | quote }}
{{- end }}
{{- if .Values.operator.defaultBatchScheduler }}
- {{ printf "--default-batch-scheduler=%v" (.Values.operator.defaultBatchScheduler | toString) | quote }}
{{- end }}
- {{ printf "--enable-ui-service=%v" (.Values.operator.enableUiService | toString) | quote }}
{{- if .Values.operator.ingressUrlFormat }}
- {{ printf "--ingress-url-format=%v" (.Values.operator.ingressUrlFormat | toString) | quote }}
{{- end }}
{{- if .Values.operator.ingressClassName }}
- {{ printf "--ingress-class-name=%v" (.Values.operator.ingressClassName | toString) | quote }}
{{- end }}
{{- if .Values.operator.ingressTls }}
- {{ printf "--ingress-tls=%v" (toJson .Values.operator.ingressTls) | quote }}
{{- end }}
{{- if .Values.operator.ingressAnnotations }}
- {{ printf "--ingress-annotations=%v" (toJson .Values.operator.ingressAnnotations) | quote }}
{{- end }}
- {{ printf "--driver-pod-creation-grace-period=%v" (.Values.operator.driverPodCreationGracePeriod | toString) | quote }}
- {{ printf "--submitter=%v" (.Values.operator.submitter | toString) | quote }}
{{- if .Values.operator.sparkHome }}
- {{ printf "--spark-home=%v" (.Values.operator.sparkHome | toString) | quote }}
{{- end }}
- {{ printf "--leader-election=%v" (include "sparkop.leaderElection" .) | quote }}
- {{ printf "--leader-election-lock-name=%v" (.Values.operator.leaderElectionLockName | toString) | quote }}
- {{ printf "--leader-election-lock-namespace=%v" (include "sparkop.leaseNamespace" .) | quote }}
- {{ printf "--leader-election-lease-duration=%v" (.Values.operator.leaderElectionLeaseDuration | toString) | quote }}
- {{ printf "--leader-election-renew-deadline=%v" (.Values.operator.leaderElectionRenewDeadline | toString) | quote }}
- {{ printf "--leader-election-retry-period=%v" (.Values.operator.leaderElectionRetryPeriod | toString) | quote }}
- {{ printf "--enable-metrics=%v" (.Values.operator.enableMetrics | toString) | quote }}
- {{ printf "--metrics-bind-address=%v" (.Values.operator.metricsBindAddress | toString) | quote }}
- {{ printf "--metrics-endpoint=%v" (.Values.operator.metricsEndpoint | toString) | quote }}
{{- if .Values.operator.metricsPrefix }}
- {{ printf "--metrics-prefix=%v" (.Values.operator.metricsPrefix | toString) | quote }}
{{- end }}
{{- if .Values.operator.metricsLabels }}
- {{ printf "--metrics-labels=%v" (join "," .Values.operator.metricsLabels) | quote }}
{{- end }}
- {{ printf "--metrics-job-start-latency-buckets=%v" (join "," .Values.operator.metricsJobStartLatencyBuckets) | quote }}
- {{ printf "--health-probe-bind-address=%v" (.Values.operator.healthProbeBindAddress | toString) | quote }}
- {{ printf "--kube-api-qps=%v" (.Values.operator.kubeApiQps | toString) | quote }}
- {{ printf "--kube-api-burst=%v" (int64 .Values.operator.kubeApiBurst) | quote }}
- {{ printf "--log-level=%v" (.Values.operator.logLevel | toString) | quote }}
- {{ printf "--log-format=%v" (.Values.operator.logFormat | toString) | quote }}
- "--local=false"
- "--install-crds=false"
- "--spark-simulator=false"
{{- end }}
