# The eks-upgrade worker (and CLI) image. Runs the TypeScript sources through tsx, exactly as `npm run worker`
# does on a laptop: no build step, no compiled copy that could drift from the code the tests exercise.
# Debian slim rather than Alpine: the Temporal core bridge ships glibc binaries.
FROM node:24-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# Dependencies first, for layer caching. tsx is a runtime dependency; dev tools (eslint, typescript) are left out.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY examples ./examples

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
