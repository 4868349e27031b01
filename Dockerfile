# hubdrive for a Hugging Face Docker Space or a home server (see the README's "Deploy").
# test/deploy/dockerfile.test.ts checks this file against package.json, the config defaults and the repo.

# --- build: compile the native addons (argon2, better-sqlite3), the TypeScript and the web UI ---------
FROM node:20-bookworm-slim AS build
# node-gyp's tools, for addons that have no prebuilt binary for this platform; the runtime has none.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
# npm ci builds the addons, then runs the package's prepare script, which is `npm run build`: the server
# into dist/, the web UI into dist/web/.
RUN npm ci
# Drop the dev dependencies (TypeScript, ESLint…); the built addons stay.
RUN npm prune --omit=dev --ignore-scripts

# --- runtime -------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim
WORKDIR /app
# The app stays root-owned (read-only to the server); only DATA_DIR belongs to uid 1000.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY decoy ./decoy
RUN mkdir -p /data && chown node:node /data
# On a Space with persistent storage, /data is that volume; without it, the disk is wiped at restarts.
ENV PORT=7860 DATA_DIR=/data
EXPOSE 7860
# The node image's `node` user has uid 1000, the user a Space runs as.
USER node
# Asks the running server, on its own PORT and BASE_PATH (normalised as the config does). With
# ALLOW_IPS set, include 127.0.0.1 or the check is refused.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const p = (process.env.BASE_PATH || '').trim().split('/').filter(Boolean).join('/'); fetch('http://127.0.0.1:' + (process.env.PORT || '7860') + (p ? '/' + p : '') + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1));"]
CMD ["node", "bin/hubdrive.js", "serve"]
