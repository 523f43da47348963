# The eks-upgrade worker (and CLI) image: the same build `npm ci` makes on a laptop (dist/, compiled file for file
# from src/, and the prebuilt workflow bundle the worker starts from, so a restarted container polls within a
# second or two instead of bundling first). Debian slim rather than Alpine: the Temporal core bridge ships glibc
# binaries.
FROM node:24-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# Dependencies first, for layer caching (the build, `prepare`, runs below once the sources are there). The build
# needs only runtime dependencies (esbuild, tsx, the Temporal bundler); dev tools (eslint, typescript) are left out.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY bin ./bin
COPY scripts/build.ts ./scripts/build.ts
COPY src ./src
COPY examples ./examples
RUN npm run build

# Non-root: the image's built-in `node` user (uid 1000). The worker needs no write access to /app.
USER node

# Defaults match docker-compose.yml; override them with -e or an env file.
ENV TEMPORAL_ADDRESS=temporal:7233 \
    TEMPORAL_NAMESPACE=default \
    EKS_UPGRADE_TASK_QUEUE=eks-upgrade \
    EKS_UPGRADE_CACHE_DIR=/home/node/.cache/eks-upgrade

# SIGTERM from `docker stop` reaches node directly (exec form), which drains in-flight activities.
ENTRYPOINT ["node", "bin/eks-upgrade.cjs"]
CMD ["worker"]
