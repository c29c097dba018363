{{/* Generated from src/deploy/rbac.ts by scripts/helm/generate-chart.ts; do not edit by hand. */}}
{{- define "sparkop.rules.operatorNamespaced" }}
# get/list/watch: the cache of both controllers (sparkapplication/index.ts .for, scheduledsparkapplication .owns) and live reads; create: a scheduled run; patch: RecordSpecHash (reconciler.ts); delete: DeleteApplication (timeToLiveSeconds) and the run history limit.
- apiGroups: ["sparkoperator.k8s.io"]
  resources: ["sparkapplications"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
# Both reconcilers write status with client.status().update (guarded by resourceVersion).
- apiGroups: ["sparkoperator.k8s.io"]
  resources: ["sparkapplications/status", "scheduledsparkapplications/status"]
  verbs: ["update"]
# The driver pod (src/spark/steps/application-owner.ts) and scheduled runs carry ownerReferences with blockOwnerDeletion; clusters with the OwnerReferencesPermissionEnforcement admission plugin require this.
- apiGroups: ["sparkoperator.k8s.io"]
  resources: ["sparkapplications/finalizers", "scheduledsparkapplications/finalizers"]
  verbs: ["update"]
# ScheduledSparkApplication controller: its cache (.for) and reads.
- apiGroups: ["sparkoperator.k8s.io"]
  resources: ["scheduledsparkapplications"]
  verbs: ["get", "list", "watch"]
# list/watch: the pod cache (.watches(Pods), launched-by selector); get: the live read of ConfirmDriverMissing and the submitter; create: SubmitDriver (submission.ts); delete: DeleteDriverResources.
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "create", "delete"]
# list/watch/get: the Service cache (.watches(Services)) and the UI Service read; create: the driver Service (SubmitDriver) and EnsureUIService; delete: DeleteDriverResources.
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "create", "delete"]
# create: SubmitDriver, the driver's spark.properties and pod-template ConfigMaps; patch (server-side apply, which creates or updates): the Prometheus ConfigMap (prepare.ts), kept equal to the current spec. They are owned by the driver pod or the application and go with them.
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["create", "patch"]
# The event recorder (src/runtime/events.ts): create, and patch to aggregate a repeated event.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
# create: EnsureUIIngress (with --ingress-url-format) and EnsureDriverIngress (any application with spec.driverIngressOptions, so always, as in kubeflow); get and delete: replacing an earlier run's Ingress of the same name (EnsureDriverIngress), DeleteDriverResources.
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses"]
  verbs: ["get", "create", "delete"]
{{- if .Values.operator.enableBatchScheduler }}
# Batch schedulers (--enable-batch-scheduler): the PodGroup of Volcano or of the coscheduling plugin, applied (server-side apply: create or update to the current spec) before each submission (batch-scheduler.ts) and owned by the application.
- apiGroups: ["scheduling.volcano.sh", "scheduling.x-k8s.io"]
  resources: ["podgroups"]
  verbs: ["create", "patch"]
{{- end }}
{{- end }}
{{- define "sparkop.rules.operatorCluster" }}
{{- if ne .Values.operator.namespaceSelector "" }}
# --namespace-selector: src/operator/operator.ts lists the matching namespaces once at start.
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["list"]
{{- end }}
{{- end }}
{{- define "sparkop.rules.leaderElection" }}
# src/runtime/leaderelection.ts: the first candidate creates the Lease.
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["create"]
# src/runtime/leaderelection.ts: candidates read the Lease and take or renew it (compare-and-swap update).
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  resourceNames: [{{ .Values.operator.leaderElectionLockName | quote }}]
  verbs: ["get", "update"]
{{- end }}
{{- define "sparkop.rules.driver" }}
# Spark driver: executor pods, their ConfigMap, on-demand PVCs (spark.kubernetes.*.volumes.*.claimName=OnDemand), services.
- apiGroups: [""]
  resources: ["pods", "services", "configmaps", "persistentvolumeclaims"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
{{- end }}
