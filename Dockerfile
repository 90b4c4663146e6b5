# The polluter-pays image: compiled JavaScript on Node.js with the production dependencies only.
# One image, three roles (docker-compose.yml):
#   API (default):  node dist/api/server.js         health: GET /healthz on PORT (the HEALTHCHECK below)
#   worker:         node dist/worker/main.js        health: GET /healthz on WORKER_HEALTH_PORT
#   migrations:     node dist/db/migrate.js
# `npm run check:build` (scripts/check-build.sh) does what this file does without Docker: build,
# install without dev dependencies, run the three roles and this HEALTHCHECK's command.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# Build: TypeScript to dist/, and the workflow code bundled once (dist/workflow-bundle.js).
FROM ${NODE_IMAGE} AS build
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

# Run: production dependencies and dist/ only; no TypeScript, no tsx, no test tooling.
FROM ${NODE_IMAGE}
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
WORKDIR /app
RUN chown node:node /app
USER node
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build --chown=node:node /build/dist ./dist

# In production the configuration refuses development defaults and placeholders (config/production.ts):
# the corporation's details, PUBLIC_URL, secrets and sign-in must be given.
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0
EXPOSE 3000

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "dist/scripts/healthcheck.js"]
CMD ["node", "dist/api/server.js"]
