{{/*
Default collector configuration of each mode. .Values.config is merged over
it (templates/_helpers.tpl, "otelcol-ai.config"). The pipelines are those of
the distributions' config.yaml files, with Kubernetes names filled in.
*/}}

{{- define "otelcol-ai.commonConfig" -}}
extensions:
  health_check:
    endpoint: ${env:MY_POD_IP}:13133
  file_storage:
    directory: /var/lib/otelcol-ai
    create_directory: true
processors:
  memory_limiter:
    check_interval: 1s
    limit_percentage: 80
    spike_limit_percentage: 20
  batch:
    timeout: 1s
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: ${env:MY_POD_IP}:4317
      http:
        endpoint: ${env:MY_POD_IP}:4318
service:
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: ${env:MY_POD_IP}
                port: 8888
{{- end }}

{{- define "otelcol-ai.gatewayHost" -}}
{{- if .Values.gateway.headlessService }}
{{- .Values.gateway.headlessService }}
{{- else }}
{{- printf "otelcol-ai-gateway-headless.%s.svc.cluster.local" .Release.Namespace }}
{{- end }}
{{- end }}

{{- define "otelcol-ai.agentConfig" -}}
{{- $dcgm := .Values.gpu.dcgmExporterEndpoint }}
{{- $logs := .Values.podLogs.enabled }}
{{- $metricsReceivers := list "otlp" "nvml" "host_metrics" }}
{{- if $dcgm }}{{ $metricsReceivers = append $metricsReceivers "dcgm" }}{{ end }}
{{- if $logs }}{{ $metricsReceivers = append $metricsReceivers "inference_log" }}{{ end }}
{{- $logsReceivers := list "otlp" }}
{{- if $logs }}{{ $logsReceivers = append $logsReceivers "inference_log" }}{{ end }}
{{- $agent := include "otelcol-ai.commonConfig" . | fromYaml }}
{{- $own := include "otelcol-ai.agentOwnConfig" (dict "Values" .Values "Release" .Release "metricsReceivers" $metricsReceivers "logsReceivers" $logsReceivers) | fromYaml }}
{{- if hasKey $own "Error" }}{{ fail (printf "agent config: %s" (get $own "Error")) }}{{ end }}
{{- toYaml (mustMergeOverwrite $agent $own) }}
{{- end }}

{{- define "otelcol-ai.agentOwnConfig" -}}
receivers:
  nvml:
    collection_interval: 10s
    pod_resources: pod_resources
  {{- if .Values.gpu.dcgmExporterEndpoint }}
  dcgm:
    endpoint: {{ .Values.gpu.dcgmExporterEndpoint | quote }}
    collection_interval: 10s
    pod_resources: pod_resources
  {{- end }}
  {{- if .Values.podLogs.enabled }}
  inference_log:
    include: {{- toYaml .Values.podLogs.include | nindent 6 }}
    start_at: end
    storage: file_storage
  {{- end }}
  host_metrics:
    collection_interval: 30s
    scrapers:
      cpu: {}
      memory: {}
      load: {}
processors:
  k8s_attributes:
    filter:
      node_from_env_var: K8S_NODE_NAME
    pod_association:
      - sources:
          - from: resource_attribute
            name: k8s.pod.uid
      - sources:
          - from: resource_attribute
            name: k8s.pod.ip
      - sources:
          - from: resource_attribute
            name: k8s.pod.name
          - from: resource_attribute
            name: k8s.namespace.name
      - sources:
          - from: connection
    extract:
      metadata:
        - k8s.namespace.name
        - k8s.pod.name
        - k8s.pod.uid
        - k8s.deployment.name
        - k8s.statefulset.name
        - k8s.node.name
      labels:
        - tag_name: team
          key: team
          from: pod
        - tag_name: team
          key: team
          from: namespace
exporters:
  load_balancing/traces:
    routing_key: traceID
    protocol:
      otlp:
        tls:
          insecure: true
        sending_queue:
          storage: file_storage
    resolver:
      dns:
        hostname: {{ include "otelcol-ai.gatewayHost" . }}
        port: {{ .Values.gateway.port | toString | quote }}
  load_balancing/metrics:
    routing_key: attributes
    routing_attributes: {{ toJson .Values.gateway.metricsRoutingAttributes }}
    protocol:
      otlp:
        tls:
          insecure: true
        sending_queue:
          storage: file_storage
    resolver:
      dns:
        hostname: {{ include "otelcol-ai.gatewayHost" . }}
        port: {{ .Values.gateway.port | toString | quote }}
extensions:
  pod_resources:
    endpoint: {{ printf "%s/kubelet.sock" .Values.gpu.podResourcesDir }}
    refresh_interval: 10s
service:
  extensions: [health_check, pod_resources, file_storage]
  pipelines:
    metrics:
      receivers: {{ toJson .metricsReceivers }}
      processors: [memory_limiter, k8s_attributes, batch]
      exporters: [load_balancing/metrics]
    traces:
      receivers: [otlp]
      processors: [memory_limiter, k8s_attributes, batch]
      exporters: [load_balancing/traces]
    logs:
      receivers: {{ toJson .logsReceivers }}
      processors: [memory_limiter, k8s_attributes, batch]
      exporters: [load_balancing/traces]
{{- end }}

{{- define "otelcol-ai.gatewayConfig" -}}
{{- $gateway := include "otelcol-ai.commonConfig" . | fromYaml }}
{{- $own := include "otelcol-ai.gatewayOwnConfig" . | fromYaml }}
{{- if hasKey $own "Error" }}{{ fail (printf "gateway config: %s" (get $own "Error")) }}{{ end }}
{{- toYaml (mustMergeOverwrite $gateway $own) }}
{{- end }}

{{- define "otelcol-ai.gatewayOwnConfig" -}}
processors:
  prompt_redaction:
    action: mask
  token_cost: {}
  retrieval_quality:
    wait: 30s
    max_traces: 20000
  slo_burn_rate:
    storage: file_storage
    slos:
      - name: chat-availability
        service: genai
        description: 99.5% of chat calls succeed.
        objective: 99.5
        period: 30d
        sli:
          ratio:
            bad:
              metric: traces.span.metrics.calls
              match:
                gen_ai.operation.name: chat
                status.code: STATUS_CODE_ERROR
            total:
              metric: traces.span.metrics.calls
              match:
                gen_ai.operation.name: chat
        group_by: [gen_ai.request.model]
      - name: request-latency
        service: genai
        description: 99% of requests the inference servers log finish within 10.24 s.
        objective: 99
        period: 28d
        sli:
          latency:
            metric: gen_ai.server.request.duration
            unit: s
            threshold: 10.24
        group_by: [gen_ai.request.model]
      - name: time-to-first-token
        service: genai
        description: 95% of streamed responses start within 0.5 s (gen_ai.server.time_to_first_token).
        objective: 95
        period: 7d
        sli:
          latency:
            metric: gen_ai.server.time_to_first_token
            unit: s
            threshold: 0.5
        group_by: [gen_ai.request.model]
  transform/delta_to_gauge:
    error_mode: ignore
    metric_statements:
      - context: metric
        statements:
          - convert_sum_to_gauge() where metric.type == METRIC_DATA_TYPE_SUM and metric.aggregation_temporality == AGGREGATION_TEMPORALITY_DELTA
connectors:
  span_metrics:
    metrics_flush_interval: 15s
    histogram:
      unit: s
      explicit:
        buckets: [0.05s, 0.1s, 0.25s, 0.5s, 1s, 2.5s, 5s, 10s, 20s, 40s, 80s]
    dimensions:
      - name: gen_ai.operation.name
      - name: gen_ai.request.model
      - name: gen_ai.provider.name
  signal_to_metrics:
    spans:
      - name: gen_ai.usage.cost
        description: Cost of LLM calls priced by token_cost, by model and team.
        unit: "{USD}"
        conditions:
          - attributes["gen_ai.usage.cost.amount"] != nil
        include_resource_attributes:
          - key: k8s.namespace.name
          - key: team
        attributes:
          - key: gen_ai.request.model
            default_value: unknown
          - key: gen_ai.provider.name
            default_value: unknown
        sum:
          value: Double(attributes["gen_ai.usage.cost.amount"])
          monotonic: true
      - name: gen_ai.usage.tokens
        description: Tokens of LLM calls priced by token_cost, by model and team.
        unit: "{token}"
        conditions:
          - attributes["gen_ai.usage.cost.amount"] != nil and attributes["gen_ai.usage.input_tokens"] != nil and attributes["gen_ai.usage.output_tokens"] != nil
        include_resource_attributes:
          - key: k8s.namespace.name
          - key: team
        attributes:
          - key: gen_ai.request.model
            default_value: unknown
          - key: gen_ai.provider.name
            default_value: unknown
        sum:
          value: Int(attributes["gen_ai.usage.input_tokens"]) + Int(attributes["gen_ai.usage.output_tokens"])
          monotonic: true
      - name: gen_ai.retrieval.evaluations
        description: Retrievals scored by the retrieval_quality processor, by data source and label.
        unit: "{retrieval}"
        conditions:
          - attributes["gen_ai.retrieval.evaluation.label"] != nil
        attributes:
          - key: gen_ai.data_source.id
            default_value: unknown
          - key: gen_ai.retrieval.evaluation.label
        sum:
          value: "1"
          monotonic: true
exporters:
  otlp_grpc:
    endpoint: {{ .Values.gateway.otlpEndpoint | quote }}
    tls:
      insecure: true
    sending_queue:
      storage: file_storage
  prometheus_remote_write:
    endpoint: {{ .Values.gateway.prometheusRemoteWriteEndpoint | quote }}
    resource_to_telemetry_conversion:
      enabled: true
    remote_write_queue:
      num_consumers: 2
  keda_scaler:
    endpoint: ${env:MY_POD_IP}:{{ .Values.ports.keda.containerPort }}
service:
  extensions: [health_check, file_storage]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, prompt_redaction, token_cost, retrieval_quality, batch]
      exporters: [otlp_grpc, span_metrics, signal_to_metrics]
    logs:
      receivers: [otlp]
      processors: [memory_limiter, prompt_redaction, token_cost, batch]
      exporters: [otlp_grpc]
    metrics:
      receivers: [otlp, span_metrics, signal_to_metrics]
      processors: [memory_limiter, token_cost, slo_burn_rate, transform/delta_to_gauge, batch]
      exporters: [otlp_grpc, prometheus_remote_write, keda_scaler]
{{- end }}
