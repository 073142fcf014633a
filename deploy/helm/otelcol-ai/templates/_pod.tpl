{{/* The pod template shared by the DaemonSet (agent) and the Deployment (gateway). */}}
{{- define "otelcol-ai.podTemplate" -}}
{{- $mode := include "otelcol-ai.mode" . }}
{{- $agent := eq $mode "agent" }}
{{- $defaults := get .Values.defaultSecurityContext $mode }}
{{- $podSecurityContext := mustMergeOverwrite (deepCopy $defaults.pod) .Values.podSecurityContext }}
{{- $securityContext := mustMergeOverwrite (deepCopy $defaults.container) .Values.securityContext }}
{{- $runtimeClassName := .Values.runtimeClassName }}
{{- if and $agent (not $runtimeClassName) }}{{ $runtimeClassName = .Values.gpu.runtimeClassName }}{{ end }}
{{- $ports := include "otelcol-ai.ports" . | fromYaml -}}
metadata:
  annotations:
    checksum/config: {{ include "otelcol-ai.config" . | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  labels:
    {{- include "otelcol-ai.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "otelcol-ai.serviceAccountName" . }}
  automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $podSecurityContext | nindent 4 }}
  {{- with $runtimeClassName }}
  runtimeClassName: {{ . }}
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- if .Values.hostNetwork }}
  hostNetwork: true
  {{- end }}
  {{- with .Values.dnsPolicy }}
  dnsPolicy: {{ . }}
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  {{- with .Values.initContainers }}
  initContainers:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: otelcol-ai
      image: {{ include "otelcol-ai.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      command:
        - {{ default (printf "/%s" (include "otelcol-ai.binary" .)) .Values.command.name | quote }}
      args:
        - --config=/conf/relay.yaml
        {{- range .Values.command.extraArgs }}
        - {{ . | quote }}
        {{- end }}
      securityContext:
        {{- toYaml $securityContext | nindent 8 }}
      ports:
        {{- range $name, $port := $ports }}
        - name: {{ $name }}
          containerPort: {{ $port.containerPort }}
          protocol: {{ default "TCP" $port.protocol }}
          {{- if and $agent $port.hostPort }}
          hostPort: {{ $port.hostPort }}
          {{- end }}
        {{- end }}
      env:
        - name: MY_POD_IP
          valueFrom:
            fieldRef:
              apiVersion: v1
              fieldPath: status.podIP
        - name: K8S_NODE_NAME
          valueFrom:
            fieldRef:
              apiVersion: v1
              fieldPath: spec.nodeName
        {{- if and .Values.useGOMEMLIMIT .Values.resources.limits .Values.resources.limits.memory }}
        - name: GOMEMLIMIT
          value: {{ include "otelcol-ai.goMemLimit" . | quote }}
        {{- end }}
        {{- if $agent }}
        - name: K8S_NODE_IP
          valueFrom:
            fieldRef:
              apiVersion: v1
              fieldPath: status.hostIP
        {{- end }}
        {{- if and $agent .Values.gpu.visibleDevices }}
        - name: NVIDIA_VISIBLE_DEVICES
          value: {{ .Values.gpu.visibleDevices | quote }}
        - name: NVIDIA_DRIVER_CAPABILITIES
          value: utility
        {{- end }}
        {{- with .Values.extraEnvs }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with .Values.extraEnvsFrom }}
      envFrom:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.livenessProbe }}
      livenessProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.readinessProbe }}
      readinessProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: config
          mountPath: /conf
        - name: storage
          mountPath: /var/lib/otelcol-ai
        {{- if $agent }}
        {{- if .Values.podLogs.enabled }}
        - name: varlogpods
          mountPath: /var/log/pods
          readOnly: true
        {{- end }}
        - name: pod-resources
          mountPath: {{ .Values.gpu.podResourcesDir }}
        {{- end }}
        {{- with .Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    {{- with .Values.extraContainers }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "otelcol-ai.configMapName" . }}
        items:
          - key: relay
            path: relay.yaml
    {{- if $agent }}
    - name: storage
      hostPath:
        path: {{ printf "%s/%s" .Values.storage.hostPath .Release.Name }}
        type: DirectoryOrCreate
    {{- if .Values.podLogs.enabled }}
    - name: varlogpods
      hostPath:
        path: {{ .Values.podLogs.hostPath }}
        type: Directory
    {{- end }}
    - name: pod-resources
      hostPath:
        path: {{ .Values.gpu.podResourcesDir }}
        type: Directory
    {{- else }}
    - name: storage
      emptyDir:
        {{- with .Values.storage.sizeLimit }}
        sizeLimit: {{ . }}
        {{- end }}
    {{- end }}
    {{- with .Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- $nodeSelector := .Values.nodeSelector }}
  {{- if $agent }}{{ $nodeSelector = mustMergeOverwrite (deepCopy .Values.gpu.nodeSelector) .Values.nodeSelector }}{{ end }}
  {{- with $nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- $tolerations := .Values.tolerations }}
  {{- if $agent }}{{ $tolerations = concat .Values.gpu.tolerations .Values.tolerations }}{{ end }}
  {{- with $tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
