# One image for the API (with its caption worker) and the web app; docker-compose.yml picks the command.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY . .
RUN npm ci --no-audit --no-fund && npm rebuild better-sqlite3 && npx turbo run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# The API listens on loopback unless told otherwise; in a container it must answer on the container's interface.
ENV HOST=0.0.0.0
COPY --from=build /app /app
EXPOSE 4000 3000
CMD ["node", "apps/api/dist/main.js"]
