{{/* Generated from src/operator/rbac.ts by scripts/helm/generate-chart.ts; do not edit by hand. */}}
{{- define "sparkop.rules.operatorNamespaced" }}
# get/list/watch: the cache of both controllers (sparkapplication/index.ts .for, scheduledsparkapplication .owns) and live reads; create: a scheduled run; patch: RecordSpecHash (reconciler.ts) and removing kubeflow's finalizer (controllers/kubeflow-finalizer.ts); delete: DeleteApplication (timeToLiveSeconds) and the run history limit.
- apiGroups: ["sparkoperator.k8s.io"]
  resources: ["sparkapplications"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
# The three reconcilers write status with client.status().update (guarded by resourceVersion).
- apiGroups: ["sparkoperator.k8s.io"]
  resources: ["sparkapplications/status", "scheduledsparkapplications/status", "sparkconnects/status"]
  verbs: ["update"]
# The driver pod (src/spark/steps/application-owner.ts), scheduled runs and the Spark Connect server pod, Service and ConfigMap (src/spark/connect/resources.ts) carry ownerReferences with blockOwnerDeletion; clusters with the OwnerReferencesPermissionEnforcement admission plugin require this.
- apiGroups: ["sparkoperator.k8s.io"]
  resources: ["sparkapplications/finalizers", "scheduledsparkapplications/finalizers", "sparkconnects/finalizers"]
  verbs: ["update"]
# ScheduledSparkApplication controller: its cache (.for) and reads; patch: removing kubeflow's finalizer (controllers/kubeflow-finalizer.ts).
- apiGroups: ["sparkoperator.k8s.io"]
  resources: ["scheduledsparkapplications"]
  verbs: ["get", "list", "watch", "patch"]
# SparkConnect controller (src/controllers/sparkconnect/): its cache (.for) and reads.
- apiGroups: ["sparkoperator.k8s.io"]
  resources: ["sparkconnects"]
  verbs: ["get", "list", "watch"]
# list/watch: the pod cache (.watches(Pods), launched-by selector); get: the live read of ConfirmDriverMissing, the submitter and the SparkConnect's server pod; create: SubmitDriver (submission.ts) and the Spark Connect server (CreateServerPod); delete: DeleteDriverResources, and a server replaced for a changed spec or dead.
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "create", "delete"]
# list/watch/get: the Service cache (.watches(Services)), the UI Service read and the live read of a SparkConnect's Service; create: the driver Service (SubmitDriver), EnsureUIService and the Spark Connect server's Service; delete: DeleteDriverResources, and a SparkConnect Service whose spec changed.
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "create", "delete"]
# create: SubmitDriver, the driver's spark.properties and pod-template ConfigMaps; patch (server-side apply, which creates or updates): the Prometheus ConfigMap (prepare.ts), kept equal to the current spec, and a SparkConnect's executor pod template. They are owned by the driver pod, the application or the SparkConnect and go with them.
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
{{- if eq (include "sparkop.value.enable-batch-scheduler" .) "true" }}
# Batch schedulers (--enable-batch-scheduler): the PodGroup of Volcano or of the coscheduling plugin, applied (server-side apply: create or update to the current spec) before each submission (batch-scheduler.ts) and owned by the application.
- apiGroups: ["scheduling.volcano.sh", "scheduling.x-k8s.io"]
  resources: ["podgroups"]
  verbs: ["create", "patch"]
{{- end }}
{{- end }}
{{- define "sparkop.rules.operatorCluster" }}
{{- if include "sparkop.value.namespace-selector" . }}
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
