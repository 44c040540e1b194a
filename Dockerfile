# syntax=docker/dockerfile:1.7
# One image per service, all from this file:
#   docker build --build-arg SERVICE=users -t playground-users .    (or: make image SERVICE=users)
#
# Stage 1 builds every service binary with `make static` (CI's `make check-static` checks the
# same flags on a build linking every backend): glibc linked statically (no musl target is needed), for the build
# container's own architecture: the Rust triple `rustc -vV` names as host (amd64 gives
# x86_64-unknown-linux-gnu, arm64 aarch64-unknown-linux-gnu), so the image is native on
# Apple Silicon and Graviton as on x86 (`--platform linux/amd64` builds an amd64 image
# anywhere, e.g. for Azure Container Instances). --build-arg STATIC_TARGET=<triple> overrides
# the triple. BuildKit cache mounts keep the cargo registry and target directory between
# builds (one target cache per architecture), so dependencies compile once, and the layer
# holding /out is the same for all six SERVICE values: `make images` compiles once and copies
# six times.
#
# Stage 2 is distroless static (no shell, no libc, CA certificates, /etc/passwd with the
# nonroot user 65532) plus the one binary.

ARG RUST_IMAGE=rust:1.95.0-bookworm
ARG BASE_IMAGE=gcr.io/distroless/static-debian12:nonroot

FROM ${RUST_IMAGE} AS build
# Empty: the host triple of the toolchain in this stage (what `make static` picks by itself).
ARG STATIC_TARGET=
ARG TARGETARCH
WORKDIR /src
COPY . .
RUN --mount=type=cache,id=playground-cargo-registry,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,id=playground-target-${TARGETARCH},target=/src/target,sharing=locked \
    triple="${STATIC_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}" \
    && test -n "$triple" \
    && echo "building the static binaries for $triple" \
    && make static STATIC_TARGET="$triple" \
    && mkdir -p /out /data \
    && for s in users products orders items pageviews stars analytics silver; do \
         cp "target/$triple/release/playground-$s" /out/; \
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
