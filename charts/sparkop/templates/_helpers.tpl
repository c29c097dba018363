{{/* Names and labels. */}}
{{- define "sparkop.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
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
{{- end }}

{{- define "sparkop.serviceAccountName" -}}
{{- .Values.serviceAccount.name | default (include "sparkop.fullname" .) -}}
{{- end }}

{{- define "sparkop.sparkServiceAccountName" -}}
{{- .Values.spark.serviceAccount.name | default (printf "%s-spark" (include "sparkop.fullname" .)) -}}
{{- end }}

{{/* Leader election: on when asked for, and whenever more than one replica runs. */}}
{{- define "sparkop.leaderElection" -}}
{{- if or .Values.operator.leaderElection (gt (int .Values.replicaCount) 1) }}true{{ else }}false{{ end -}}
{{- end }}

{{- define "sparkop.leaseNamespace" -}}
{{- .Values.operator.leaderElectionLockNamespace | default .Release.Namespace -}}
{{- end }}

{{/* The namespaces that get the driver's ServiceAccount and Role: the job namespaces, or the release's. */}}
{{- define "sparkop.driverNamespaces" -}}
{{- if .Values.spark.jobNamespaces }}{{ toJson .Values.spark.jobNamespaces }}{{ else }}{{ list .Release.Namespace | toJson }}{{ end -}}
{{- end }}

{{/* The port of a bind address (":8080", "0.0.0.0:8080"); empty when the server is disabled ("0"). */}}
{{- define "sparkop.port" -}}
{{- if ne (toString .) "0" }}{{ regexFind "[0-9]+$" (toString .) }}{{ end -}}
{{- end }}

{{- define "sparkop.metricsPort" -}}
{{- if .Values.operator.enableMetrics }}{{ include "sparkop.port" .Values.operator.metricsBindAddress }}{{ end -}}
{{- end }}

{{- define "sparkop.healthPort" -}}
{{- include "sparkop.port" .Values.operator.healthProbeBindAddress -}}
{{- end }}
