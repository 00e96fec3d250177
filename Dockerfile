# syntax=docker/dockerfile:1
# Build: cgo is needed by the SQLite driver.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/countersign ./cmd/countersign

# Run as an unprivileged user; SQLite data lives in the /data volume.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data countersign \
    && mkdir -p /data && chown countersign /data
COPY --from=build /out/countersign /usr/local/bin/countersign
USER countersign
WORKDIR /data
ENV COUNTERSIGN_ADDR=0.0.0.0:8080 \
    COUNTERSIGN_DATABASE_URL=sqlite:///data/countersign.db \
    COUNTERSIGN_LOG_FORMAT=json
EXPOSE 8080
# The image has no curl or wget: the binary asks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["countersign", "health"]
VOLUME ["/data"]
ENTRYPOINT ["countersign"]
CMD ["serve"]
