# sparkop's container image.
#   docker build -t sparkop:0.1.0 .                                          # the operator (native submission)
#   docker build --target spark-submit -t sparkop:0.1.0-spark-submit .       # + a JRE and Spark, for --submitter=spark-submit
# The `build` stage emits the TypeScript sources as JavaScript (src/ → dist/, tsconfig.build.json, emit only); the
# image holds dist/, the production dependencies and the base image's Node 24, and runs dist/cli/sparkop.js: running
# the .ts sources would load Node's type stripper, about 26 MB of RSS for the life of the process. At run time the
# operator reads no file outside dist/ (src/api/k8s/definitions.json is emitted next to its module). The development
# tooling of src/dev/ (the embedded control plane, the Spark simulator) is not in the build context: the operator
# imports it only on demand, in the embedded mode, which never runs in a cluster. The `node` npm package (the
# project's Node for development) is a dev dependency and is not installed. The process writes nothing outside /tmp
# (the chart mounts an emptyDir there), so it runs with a read-only root filesystem.
ARG NODE_IMAGE=node:24-bookworm-slim

# Production dependencies only, from the lock file; no install scripts run.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# Every dependency (TypeScript is a dev dependency; no install scripts, so tsc runs on the base image's Node), then
# the emit.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json

FROM ${NODE_IMAGE} AS operator
# MALLOC_MMAP_THRESHOLD_: src/operator/node-flags.ts (glibc gives large freed blocks back: RSS after a restart).
ENV NODE_ENV=production MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# "type": "module": dist/ is ES modules.
COPY package.json ./
COPY --from=build /app/dist ./dist
# Numeric, so that Kubernetes can verify runAsNonRoot (uid 1000 is the base image's `node` user).
USER 1000:1000
EXPOSE 8080 8081
# Node flags: src/operator/node-flags.ts (a smaller young generation and old-generation reserve: RSS).
ENTRYPOINT ["node", "--max-semi-space-size=16", "--heap-growing-percent=25", "dist/cli/sparkop.js"]

# The spark-submit variant: a JRE and Spark (from the pyspark wheel, which ships Spark's jars and bin/spark-submit,
# as the project's conformance tests use it). SPARK_HOME=/opt/spark.
FROM operator AS spark-submit
ARG PYSPARK_VERSION=3.5.8
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless python3 python3-venv procps \
 && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv /opt/pyspark \
 && /opt/pyspark/bin/pip install --no-cache-dir "pyspark==${PYSPARK_VERSION}" \
 && ln -s "$(/opt/pyspark/bin/python -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')" /opt/spark
ENV SPARK_HOME=/opt/spark PATH=/opt/spark/bin:$PATH
USER 1000:1000

# The default target: the operator without Spark.
FROM operator
