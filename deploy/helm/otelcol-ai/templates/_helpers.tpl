{{/* Names, labels and small computed values shared by the templates. */}}

{{- define "otelcol-ai.mode" -}}
{{- if not (has .Values.mode (list "agent" "gateway")) -}}
{{- fail (printf "mode must be agent or gateway, got %q" .Values.mode) -}}
{{- end -}}
{{- .Values.mode -}}
{{- end }}

{{- define "otelcol-ai.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "otelcol-ai.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "otelcol-ai.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "otelcol-ai.selectorLabels" -}}
app.kubernetes.io/name: {{ include "otelcol-ai.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: {{ include "otelcol-ai.mode" . }}
{{- end }}

{{- define "otelcol-ai.labels" -}}
helm.sh/chart: {{ include "otelcol-ai.chart" . }}
{{ include "otelcol-ai.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: otelcol-ai
{{- end }}

{{- define "otelcol-ai.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "otelcol-ai.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "otelcol-ai.clusterRoleName" -}}
{{- default (include "otelcol-ai.fullname" .) .Values.clusterRole.name }}
{{- end }}

{{/* The ClusterRole is for k8s_attributes, which only the agent runs by default. */}}
{{- define "otelcol-ai.createClusterRole" -}}
{{- if and .Values.clusterRole.create (or (eq (include "otelcol-ai.mode" .) "agent") .Values.clusterRole.rules) -}}
true
{{- end -}}
{{- end }}

{{- define "otelcol-ai.configMapName" -}}
{{- if .Values.configMap.create }}
{{- include "otelcol-ai.fullname" . }}
{{- else }}
{{- required "configMap.existingName is required when configMap.create is false" .Values.configMap.existingName }}
{{- end }}
{{- end }}

{{- define "otelcol-ai.headlessServiceName" -}}
{{- printf "%s-headless" (include "otelcol-ai.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "otelcol-ai.binary" -}}
{{- printf "otelcol-ai-%s" (include "otelcol-ai.mode" .) }}
{{- end }}

{{- define "otelcol-ai.image" -}}
{{- $repository := default (printf "ghcr.io/otelcol-ai/%s" (include "otelcol-ai.binary" .)) .Values.image.repository }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
The container's ports as name -> spec, without disabled ones and, in agent
mode, without gateway-only ones.
*/}}
{{- define "otelcol-ai.ports" -}}
{{- $mode := include "otelcol-ai.mode" . }}
{{- $ports := dict }}
{{- range $name, $port := .Values.ports }}
{{- if and $port.enabled (or (eq $mode "gateway") (not $port.gatewayOnly)) }}
{{- $_ := set $ports $name $port }}
{{- end }}
{{- end }}
{{- toYaml $ports }}
{{- end }}

{{/*
Memory in MiB from a Kubernetes quantity (Ki, Mi, Gi, Ti, k, M, G, T or bytes).
*/}}
{{- define "otelcol-ai.memoryMiB" -}}
{{- $q := toString . }}
{{- $bytes := 0.0 }}
{{- if hasSuffix "Ki" $q }}{{ $bytes = mulf (trimSuffix "Ki" $q | float64) 1024 }}
{{- else if hasSuffix "Mi" $q }}{{ $bytes = mulf (trimSuffix "Mi" $q | float64) 1048576 }}
{{- else if hasSuffix "Gi" $q }}{{ $bytes = mulf (trimSuffix "Gi" $q | float64) 1073741824 }}
{{- else if hasSuffix "Ti" $q }}{{ $bytes = mulf (trimSuffix "Ti" $q | float64) 1099511627776 }}
{{- else if hasSuffix "k" $q }}{{ $bytes = mulf (trimSuffix "k" $q | float64) 1000 }}
{{- else if hasSuffix "M" $q }}{{ $bytes = mulf (trimSuffix "M" $q | float64) 1000000 }}
{{- else if hasSuffix "G" $q }}{{ $bytes = mulf (trimSuffix "G" $q | float64) 1000000000 }}
{{- else if hasSuffix "T" $q }}{{ $bytes = mulf (trimSuffix "T" $q | float64) 1000000000000 }}
{{- else if regexMatch "^[0-9]+(\\.[0-9]+)?$" $q }}{{ $bytes = float64 $q }}
{{- else }}{{ fail (printf "resources.limits.memory: cannot read quantity %q" $q) }}
{{- end }}
{{- divf $bytes 1048576 }}
{{- end }}

{{- define "otelcol-ai.goMemLimit" -}}
{{- $limit := include "otelcol-ai.memoryMiB" .Values.resources.limits.memory | float64 }}
{{- printf "%dMiB" (mulf $limit (divf .Values.goMemLimitPercentage 100) | floor | int64) }}
{{- end }}

{{/* The collector configuration: the mode's defaults with .Values.config merged over them. */}}
{{- define "otelcol-ai.config" -}}
{{- $mode := include "otelcol-ai.mode" . }}
{{- $defaults := include (printf "otelcol-ai.%sConfig" $mode) . | fromYaml }}
{{- if hasKey $defaults "Error" }}
{{- fail (printf "default %s config does not parse: %s" $mode (get $defaults "Error")) }}
{{- end }}
{{- $config := mustMergeOverwrite $defaults (deepCopy (.Values.config | default dict)) }}
{{- toYaml $config }}
{{- end }}
