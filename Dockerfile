# syntax=docker/dockerfile:1
# The cancellation worker as a container: the compiled JavaScript of `npm run build` (workers and
# the prebuilt workflow bundle) on Node 20, production dependencies only, as the unprivileged
# `node` user, with a health check that asks the worker itself (workers/health.ts).
#   docker build -t subscription-cancellations-worker:0.1.0 .
#   docker compose -f docker-compose.temporal.yml up -d --scale worker=3
# Configuration is the worker's environment (docs/deploy.md); no secret is baked into the image.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Dependencies first: this layer is reused until the lockfile changes. Install scripts are skipped:
# the project's own (prepare: the build) needs the sources, and no runtime dependency needs one
# (the Temporal core ships prebuilt per platform).
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY codec ./codec
COPY common ./common
COPY workflows ./workflows
COPY activities ./activities
COPY workers ./workers
COPY client ./client
COPY simulators ./simulators
COPY scripts ./scripts
COPY drills ./drills
# Then production dependencies only, and of the Temporal core's prebuilt binaries (five platforms,
# about 28 MB each) only the one this image runs on.
RUN npm run build \
  && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
  && find node_modules/@temporalio/core-bridge/releases -mindepth 1 -maxdepth 1 \
    ! -name "$(uname -m)-unknown-linux-gnu" -exec rm -rf {} +

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
  CANCELLATIONS_HEALTH_ADDRESS=0.0.0.0:8081
WORKDIR /app
# Owned by root, read by `node`: the worker cannot change its own code or dependencies.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
# 8081: GET /healthz (the HEALTHCHECK below). Metrics, when CANCELLATIONS_METRICS_ADDRESS is set
# (e.g. 0.0.0.0:9464), on that port. Neither needs publishing for the workers to work.
EXPOSE 8081
# Healthy: every worker of the process polls and the Temporal frontend answers. The probe allows
# the frontend 3 s and itself 5 s; start-up (connect, load the bundle) takes a few seconds.
HEALTHCHECK --interval=15s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "dist/workers/health.js"]
# SIGTERM (docker stop) lets the worker finish its tasks; give it time: docker stop -t / stop_grace_period.
# --max-old-space-size: the heap ceiling of workers/heap.ts (test/build checks that they agree).
CMD ["node", "--max-old-space-size=256", "dist/workers/main.js"]
