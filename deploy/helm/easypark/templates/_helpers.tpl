{{/*
Names, labels and connection URLs shared by the templates.
*/}}

{{/* The chart's name. */}}
{{- define "easypark.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name: the release name, with the chart's unless it already contains it. */}}
{{- define "easypark.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* One service's objects' name (its Deployment, Service, ...): (dict "root" $ "service" "parking"). */}}
{{- define "easypark.serviceName" -}}
{{- printf "%s-%s" (include "easypark.fullname" .root) .service | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object. */}}
{{- define "easypark.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "easypark.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: easypark
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* What selects one service's pods: (dict "root" $ "service" "parking"). */}}
{{- define "easypark.selectorLabels" -}}
app.kubernetes.io/name: {{ include "easypark.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .service }}
{{- end -}}

{{/* Labels of one service's objects: (dict "root" $ "service" "parking"). */}}
{{- define "easypark.serviceLabels" -}}
{{ include "easypark.labels" .root }}
app.kubernetes.io/component: {{ .service }}
{{- end -}}

{{- define "easypark.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "easypark.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret the services read their credentials from. */}}
{{- define "easypark.secretName" -}}
{{- default (include "easypark.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "easypark.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
A dependency's service name, as Bitnami's charts name it: (dict "root" $ "chart" "postgresql").
*/}}
{{- define "easypark.dependencyName" -}}
{{- $values := index .root.Values .chart -}}
{{- if $values.fullnameOverride -}}
{{- $values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains .chart .root.Release.Name -}}
{{- .root.Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .root.Release.Name .chart | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* One service's database URL: (dict "root" $ "service" "parking"). */}}
{{- define "easypark.databaseUrl" -}}
{{- $root := .root -}}
{{- $database := (index $root.Values.services .service).database -}}
{{- if $root.Values.postgresql.enabled -}}
{{- $password := required "postgresql.auth.postgresPassword is required with postgresql.enabled" $root.Values.postgresql.auth.postgresPassword -}}
{{- printf "postgres://postgres:%s@%s:5432/%s" $password (include "easypark.dependencyName" (dict "root" $root "chart" "postgresql")) $database -}}
{{- else -}}
{{- $db := $root.Values.externalDatabase -}}
{{- $host := required "externalDatabase.host is required (or postgresql.enabled, or secrets.existingSecret)" $db.host -}}
{{- $password := required "externalDatabase.password is required (or secrets.existingSecret)" $db.password -}}
{{- printf "postgres://%s:%s@%s:%s/%s" $db.user $password $host (toString $db.port) $database -}}
{{- with $db.options }}?{{ . }}{{ end -}}
{{- end -}}
{{- end -}}

{{- define "easypark.amqpUrl" -}}
{{- if .Values.rabbitmq.enabled -}}
{{- $password := required "rabbitmq.auth.password is required with rabbitmq.enabled" .Values.rabbitmq.auth.password -}}
{{- printf "amqp://%s:%s@%s:5672" .Values.rabbitmq.auth.username $password (include "easypark.dependencyName" (dict "root" . "chart" "rabbitmq")) -}}
{{- else -}}
{{- required "externalRabbitmq.url is required (or rabbitmq.enabled, or secrets.existingSecret)" .Values.externalRabbitmq.url -}}
{{- end -}}
{{- end -}}

{{/* Empty when there is no Redis: then REDIS_URL is not set, and each gateway pod counts alone. */}}
{{- define "easypark.redisUrl" -}}
{{- if .Values.redis.enabled -}}
{{- $password := required "redis.auth.password is required with redis.enabled" .Values.redis.auth.password -}}
{{- printf "redis://:%s@%s-master:6379" $password (include "easypark.dependencyName" (dict "root" . "chart" "redis")) -}}
{{- else -}}
{{- .Values.externalRedis.url -}}
{{- end -}}
{{- end -}}
