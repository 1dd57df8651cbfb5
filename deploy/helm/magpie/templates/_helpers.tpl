{{- define "magpie.fullname" -}}{{ .Release.Name }}-magpie{{- end -}}
{{- define "magpie.headless" -}}{{ .Release.Name }}-magpie-headless{{- end -}}
{{- define "magpie.labels" -}}
app.kubernetes.io/name: magpie
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{/* Every pod's RESP endpoint with its HTTP port, through the headless service's stable DNS names. */}}
{{- define "magpie.peers" -}}
{{- $peers := list -}}
{{- range $i := until (int .Values.replicas) -}}
{{- $peers = append $peers (printf "%s-%d.%s.%s.svc.cluster.local:%d@%d" (include "magpie.fullname" $) $i (include "magpie.headless" $) $.Release.Namespace (int $.Values.ports.resp) (int $.Values.ports.http)) -}}
{{- end -}}
{{- join "," $peers -}}
{{- end -}}
