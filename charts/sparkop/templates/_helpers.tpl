{{/*
Names, as kubeflow's chart gives them: the full name is <release>-<name>, or the release name when it contains the
name; the name is nameOverride, default "spark-operator" (kubeflow's chart name). The operator's objects are
<fullname>-controller, the Spark driver's <fullname>-spark.
*/}}
{{- define "sparkop.name" -}}
{{- .Values.nameOverride | default "spark-operator" | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{- define "sparkop.fullname" -}}
{{- $name := include "sparkop.name" . -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end }}

{{- define "sparkop.controllerName" -}}
{{- printf "%s-controller" (include "sparkop.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{- define "sparkop.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sparkop.labels" -}}
{{ include "sparkop.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
kubeflow's keys. sparkop's values.yaml holds none of them (but `controller: {}`), so a key the user sets is told
apart from a default. sparkop.kubeflow.set: "true" when the key (list $ "a.b.c") is set and not empty ("", [], {},
null; booleans and numbers count whenever set). sparkop.kubeflow.on: "true" when it is set to true.
sparkop.kubeflow.json: the key's value as JSON when set (not null), else "".
*/}}
{{- define "sparkop.kubeflow.lookup" -}}
{{- $cur := (index . 0).Values -}}
{{- $ok := true -}}
{{- range $k := splitList "." (index . 1) -}}
{{- if and $ok (kindIs "map" $cur) (hasKey $cur $k) }}{{ $cur = index $cur $k }}{{ else }}{{ $ok = false }}{{ end -}}
{{- end -}}
{{- if and $ok (not (kindIs "invalid" $cur)) }}{{ toJson (dict "v" $cur) }}{{ end -}}
{{- end }}

{{- define "sparkop.kubeflow.json" -}}
{{- with include "sparkop.kubeflow.lookup" . }}{{ toJson (fromJson .).v }}{{ end -}}
{{- end }}

{{- define "sparkop.kubeflow.set" -}}
{{- with include "sparkop.kubeflow.lookup" . -}}
{{- $v := (fromJson .).v -}}
{{- if or (kindIs "bool" $v) (kindIs "float64" $v) (not (empty $v)) }}true{{ end -}}
{{- end -}}
{{- end }}

{{- define "sparkop.kubeflow.on" -}}
{{- with include "sparkop.kubeflow.lookup" . }}{{ if eq ((fromJson .).v | toString) "true" }}true{{ end }}{{ end -}}
{{- end }}

{{/* YAML of kubeflow's key (list $ "a.b.c" fallback) when it is set and not empty, else of the fallback; "" when empty. */}}
{{- define "sparkop.pick" -}}
{{- $v := index . 2 -}}
{{- if include "sparkop.kubeflow.set" (list (index . 0) (index . 1)) -}}
{{- $v = (include "sparkop.kubeflow.lookup" (list (index . 0) (index . 1)) | fromJson).v -}}
{{- end -}}
{{- if or (kindIs "bool" $v) (kindIs "float64" $v) (kindIs "int64" $v) (kindIs "int" $v) (not (empty $v)) }}{{ toYaml $v }}{{ end -}}
{{- end }}

{{/* A map of kubeflow's key merged over a map of sparkop's (list $ "a.b.c" map), as YAML; "" when empty. */}}
{{- define "sparkop.mergedMap" -}}
{{- $m := deepCopy (index . 2 | default dict) -}}
{{- with include "sparkop.kubeflow.lookup" (list (index . 0) (index . 1)) }}{{ $m = mergeOverwrite $m ((fromJson .).v | default dict) }}{{ end -}}
{{- with $m }}{{ toYaml . }}{{ end -}}
{{- end }}

{{- define "sparkop.replicas" -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.replicas") }}{{ int64 .Values.controller.replicas }}{{ else }}{{ int64 .Values.replicaCount }}{{ end -}}
{{- end }}

{{/* A sparkop value (a bool) or kubeflow's key for it when set: (list $ "controller.rbac.create" .Values.rbac.create). */}}
{{- define "sparkop.bool" -}}
{{- $v := index . 2 -}}
{{- if include "sparkop.kubeflow.set" (list (index . 0) (index . 1)) }}{{ $v = (include "sparkop.kubeflow.lookup" (list (index . 0) (index . 1)) | fromJson).v }}{{ end -}}
{{- if $v }}true{{ end -}}
{{- end }}

{{- define "sparkop.serviceAccountName" -}}
{{- $name := .Values.serviceAccount.name -}}
{{- if include "sparkop.kubeflow.set" (list . "controller.serviceAccount.name") }}{{ $name = .Values.controller.serviceAccount.name }}{{ end -}}
{{- $name | default (include "sparkop.controllerName" .) -}}
{{- end }}

{{- define "sparkop.sparkServiceAccountName" -}}
{{- .Values.spark.serviceAccount.name | default (printf "%s-spark" (include "sparkop.fullname" .)) -}}
{{- end }}

{{/*
The operator's image: [registry/]repository:tag. kubeflow's default image (a kubeflow values file's) stands for
sparkop's default; another image of kubeflow's controller cannot run sparkop.
*/}}
{{- define "sparkop.image" -}}
{{- $registry := .Values.image.registry | default "" -}}
{{- $repository := .Values.image.repository -}}
{{- $tag := .Values.image.tag | default "" | toString -}}
{{- if and (eq $registry "ghcr.io") (eq $repository "kubeflow/spark-operator/controller") (eq $tag "") -}}
{{- $registry = "" }}{{ $repository = "sparkop" -}}
{{- else if hasSuffix "spark-operator/controller" $repository -}}
{{- fail (printf "image.repository=%s is kubeflow's controller image, which does not run sparkop: set image.registry, image.repository and image.tag to sparkop's image (docs/install.md)" $repository) -}}
{{- end -}}
{{- if and $registry (regexMatch "^[^/]*[.:][^/]*/|^localhost/" $repository) -}}
{{- fail (printf "image.registry=%s and image.repository=%s both name a registry: set image.registry to \"\" or drop the registry from image.repository" $registry $repository) -}}
{{- end -}}
{{- if $registry }}{{ $registry }}/{{ end }}{{ $repository }}:{{ $tag | default .Chart.AppVersion }}
{{- end }}

{{/* Leader election: on when asked for, and whenever more than one replica runs. */}}
{{- define "sparkop.leaderElection" -}}
{{- if or (eq (include "sparkop.configured.leader-election" .) "true") (gt (int (include "sparkop.replicas" .)) 1) }}true{{ else }}false{{ end -}}
{{- end }}

{{- define "sparkop.leaseNamespace" -}}
{{- .Values.operator.leaderElectionLockNamespace | default .Release.Namespace -}}
{{- end }}

{{/* The job namespaces as a JSON list; empty (all namespaces) when the list is empty or holds "", as in kubeflow. */}}
{{- define "sparkop.jobNamespaces" -}}
{{- $list := .Values.spark.jobNamespaces | default list -}}
{{- if has "" $list }}[]{{ else }}{{ toJson $list }}{{ end -}}
{{- end }}

{{/* The namespaces that get the driver's ServiceAccount and Role: the job namespaces, or the release's. */}}
{{- define "sparkop.driverNamespaces" -}}
{{- $jobs := include "sparkop.jobNamespaces" . | fromJsonArray -}}
{{- if $jobs }}{{ toJson $jobs }}{{ else }}{{ list .Release.Namespace | toJson }}{{ end -}}
{{- end }}

{{/* The port of a bind address (":8080", "0.0.0.0:8080"); empty when the server is disabled ("0"). */}}
{{- define "sparkop.port" -}}
{{- if ne (toString .) "0" }}{{ regexFind "[0-9]+$" (toString .) }}{{ end -}}
{{- end }}

{{- define "sparkop.metricsPort" -}}
{{- if eq (include "sparkop.value.enable-metrics" .) "true" }}{{ include "sparkop.port" (include "sparkop.value.metrics-bind-address" .) }}{{ end -}}
{{- end }}

{{- define "sparkop.metricsPortName" -}}
{{- if include "sparkop.kubeflow.set" (list . "prometheus.metrics.portName") }}{{ .Values.prometheus.metrics.portName }}{{ else }}metrics{{ end -}}
{{- end }}

{{- define "sparkop.healthPort" -}}
{{- include "sparkop.port" .Values.operator.healthProbeBindAddress -}}
{{- end }}

{{/* Settings that must hold together; each failure names the values. */}}
{{- define "sparkop.checks" -}}
{{- include "sparkop.kubeflow.check" . -}}
{{- if and (include "sparkop.jobNamespaces" . | fromJsonArray) (include "sparkop.value.namespace-selector" .) -}}
{{- fail "spark.jobNamespaceSelector (operator.namespaceSelector) with spark.jobNamespaces: sparkop manages the listed namespaces or the selected ones, not both; set spark.jobNamespaces to [] to use the selector" -}}
{{- end -}}
{{- if include "sparkop.kubeflow.on" (list . "controller.uiIngress.enable") -}}
{{- if not (include "sparkop.kubeflow.set" (list . "controller.uiIngress.urlFormat")) -}}
{{- fail "controller.uiIngress.enable=true needs controller.uiIngress.urlFormat" -}}
{{- end -}}
{{- if ne (include "sparkop.value.enable-ui-service" .) "true" -}}
{{- fail "controller.uiIngress.enable=true needs controller.uiService.enable=true: the ingress routes to the UI Service" -}}
{{- end -}}
{{- end -}}
{{- if and (include "sparkop.kubeflow.on" (list . "controller.podDisruptionBudget.enable")) (le (int (include "sparkop.replicas" .)) 1) -}}
{{- fail "controller.podDisruptionBudget.enable=true needs controller.replicas greater than 1" -}}
{{- end -}}
{{- if and (include "sparkop.kubeflow.on" (list . "prometheus.podMonitor.create")) (not (include "sparkop.metricsPort" .)) -}}
{{- fail "prometheus.podMonitor.create=true needs prometheus.metrics.enable=true" -}}
{{- end -}}
{{- if ne (include "sparkop.value.metrics-endpoint" .) "/metrics" -}}
{{- fail (printf "metrics endpoint %s (operator.metricsEndpoint or prometheus.metrics.endpoint) is not supported: sparkop serves its metrics at /metrics only" (include "sparkop.value.metrics-endpoint" .)) -}}
{{- end -}}
{{- end }}
