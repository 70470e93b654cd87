# syntax=docker/dockerfile:1
# Dockerfile: ratetest in a container, for fleets (deploy/kubernetes/, docs/distributed.md).
# Two stages: the addon and the TypeScript are built on the full Node image (compilers, Python
# for node-gyp); the run image is slim Node with only the built addon, the compiled CLI and the
# production dependencies. Its entrypoint runs one shard (deploy/kubernetes/entrypoint.sh);
# `--entrypoint ratetest` runs the plain CLI (and `ratetest merge`).
FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY binding.gyp tsconfig.json ./
COPY native native
COPY src src
COPY bin bin
RUN npm run install && npx tsc -p tsconfig.json && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /opt/ratetest
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/build/Release/ratetest.node build/Release/ratetest.node
COPY --from=build /src/dist dist
COPY --from=build /src/bin bin
COPY deploy/kubernetes/entrypoint.sh /usr/local/bin/ratetest-shard
RUN ln -s /opt/ratetest/bin/ratetest.js /usr/local/bin/ratetest && mkdir /results && chown node /results
USER node
ENTRYPOINT ["ratetest-shard"]
