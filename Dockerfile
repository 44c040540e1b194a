# syntax=docker/dockerfile:1.7
# One image per service, all from this file:
#   docker build --build-arg SERVICE=users -t playground-users .    (or: make image SERVICE=users)
#
# Stage 1 builds every service binary with `make static`, the same command CI runs and checks
# (`make check-static`): glibc linked statically (no musl target is needed). BuildKit cache
# mounts keep the cargo registry and target directory between builds, so dependencies compile
# once, and the layer holding /out is the same for all six SERVICE values: `make images`
# compiles once and copies six times.
#
# Stage 2 is distroless static (no shell, no libc, CA certificates, /etc/passwd with the
# nonroot user 65532) plus the one binary.

ARG RUST_IMAGE=rust:1.95.0-bookworm
ARG BASE_IMAGE=gcr.io/distroless/static-debian12:nonroot

FROM ${RUST_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,id=playground-cargo-registry,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,id=playground-target,target=/src/target,sharing=locked \
    make static \
    && mkdir -p /out /data \
    && for s in users products orders items pageviews stars; do \
         cp "target/x86_64-unknown-linux-gnu/release/playground-$s" /out/; \
       done

FROM ${BASE_IMAGE}
ARG SERVICE
LABEL org.opencontainers.image.title="playground-${SERVICE}" \
      org.opencontainers.image.description="Data playground: the ${SERVICE} service" \
      org.opencontainers.image.licenses="MIT"
# The embedded backends write under /data; a named volume mounted there starts with this
# empty directory's owner, so the non-root user can write to it.
COPY --from=build --chown=65532:65532 /data /data
COPY --from=build /out/playground-${SERVICE} /usr/local/bin/playground-service
ENV PLAYGROUND_DATA=/data \
    LOG_FORMAT=json
WORKDIR /data
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/playground-service"]
