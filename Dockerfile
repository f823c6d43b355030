# storekeep's container image: the release build (scripts/release: static,
# stripped, version stamped) on distroless/static, running as the non-root
# user 65532, with the binary's own health check (the image has no shell or
# curl). Build: docker build --build-arg VERSION=$(git describe --tags --always) \
#   --build-arg COMMIT=$(git rev-parse HEAD) -t storekeep .
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
RUN VERSION="$VERSION" COMMIT="$COMMIT" bash scripts/release /out/storekeep \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/storekeep /usr/local/bin/storekeep
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
WORKDIR /data
# A node's settings, each overridable (docker run -e STOREKEEP_...): listen
# on every interface of the container, SQLite in the /data volume unless
# STOREKEEP_DB names PostgreSQL.
ENV STOREKEEP_ADDR=0.0.0.0:8080 \
    STOREKEEP_DB=/data/storekeep.db
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/storekeep", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/storekeep"]
CMD ["serve"]
