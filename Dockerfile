# gcflow daemon image: build with the full toolchain, run with production deps only,
# as the unprivileged `node` user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    GCFLOW_HTTP=0.0.0.0:8080 \
    GCFLOW_WORKFLOWS=/app/workflows \
    GCFLOW_CONFIG=/app/config/default.yaml
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
COPY workflows ./workflows
COPY schema ./schema
USER node
EXPOSE 8080
# The daemon refuses to listen beyond loopback without GCFLOW_API_TOKEN. /healthz needs
# no token; it answers 503 while Redis does not answer. The port follows GCFLOW_HTTP.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "const port = (process.env.GCFLOW_HTTP || '').split(':').pop() || '8080'; fetch('http://127.0.0.1:' + port + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["node", "dist/main.js"]
CMD ["daemon"]
