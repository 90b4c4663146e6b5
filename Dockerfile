# The polluter-pays application image: one image, three roles (see docker-compose.yml).
#   API (default):  npx tsx api/server.ts
#   worker:         npx tsx worker/main.ts
#   migrations:     npx tsx db/migrate.ts
# TypeScript runs through tsx, so there is no build step; the image installs the full lock file
# with a plain `npm ci`.
FROM node:20-bookworm-slim

ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

WORKDIR /app
RUN chown node:node /app
USER node

# Dependencies first, so that source edits do not invalidate this layer.
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci && npm cache clean --force

COPY --chown=node:node . .

# After `npm ci` (with NODE_ENV=production it would skip the dev dependencies). In production the
# configuration insists on API_KEYS and LINK_SECRET instead of falling back to development values.
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0
EXPOSE 3000

CMD ["npx", "tsx", "api/server.ts"]
