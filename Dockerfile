# SpotVibe production image (multi-stage). Build: docker build -t spotvibe .
# The same image runs the web processes (default command), the worker (node dist/worker.js) and the
# release step (node dist/cli/index.js migrate): see docker-compose.yml and the README, "En production".

# Node 24 is the maintained LTS (Node 20 reached end of life on 2026-04-30; the code still runs on 20.19+).
FROM node:24-bookworm-slim AS build
WORKDIR /app
# npm ci runs the package's `prepare`, which builds SpotVibe Administration (admin/ → admin/dist/) with Vite.
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY admin ./admin
RUN npm ci --no-audit --no-fund && test -f admin/dist/index.html
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime dependencies only: no tsx, no TypeScript, no test tools.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (the interface build) needs Vite, a development dependency; the interface comes
# from the build stage. The native packages (argon2, sharp) ship prebuilt binaries and need no script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/app/data
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/admin/dist ./admin/dist
COPY --chown=node:node package.json ./
# The embedded database and local media live here when no DATABASE_URL / S3 is given (mount a volume).
RUN mkdir -p /app/data && chown node:node /app/data
# Not root: the image's own unprivileged user.
USER node
EXPOSE 8000
# /healthz answers as soon as the process serves (exempt from ALLOWED_HOSTS and the HTTPS redirect).
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: graceful stop within SHUTDOWN_TIMEOUT_SECONDS (give the container a little more: stop_grace_period).
STOPSIGNAL SIGTERM
CMD ["node", "dist/server.js"]
