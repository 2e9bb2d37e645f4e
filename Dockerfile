# loket — multi-stage build: compile in the Rust image, run in a small
# Debian image as a non-root user with the database on the /data volume.
#
# The build context is exactly what the COPY lines below name (.dockerignore
# keeps everything else out): the workspace manifest and lock, the library
# and binary sources, the locales they embed, and the two other targets
# Cargo.toml declares, which cargo must find to read the workspace — the
# criterion bench (`benches/`) and the load driver's member crate
# (`bench/`). Only the `loket` binary is built; the image holds nothing
# else. TLS is rustls: no OpenSSL in either stage.
# `.ci/run` builds the binary from exactly these files on every run.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY locales ./locales
COPY benches ./benches
COPY bench ./bench
RUN cargo build --release --locked -p loket --bin loket

# The runtime. tini is PID 1 and hands `docker stop`'s SIGTERM to loket,
# which stops polling, finishes the updates in flight, tells the results it
# holds (5 s at most) and flushes the journal before it exits 0. A call in
# flight may wait for the gateway up to LOKET_GATEWAY_TIMEOUT (60 s): give
# `docker stop` longer than its 10 s default (`--time 75`, compose's
# `stop_grace_period`), or a SIGKILL cuts it short — safe (the call was
# journaled first and is checked at the next start), but not clean.
# /metrics and /healthz listen on 0.0.0.0:9464 inside the container (publish
# it on the host's loopback only: `-p 127.0.0.1:9464:9464`); the
# HEALTHCHECK asks /healthz with `loket healthcheck` (no curl in here).
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin loket \
 && mkdir -p /data && chown loket:loket /data
COPY --from=build /src/target/release/loket /usr/local/bin/loket
USER loket
ENV LOKET_DATA_DIR=/data LOKET_METRICS=0.0.0.0:9464
VOLUME ["/data"]
EXPOSE 9464
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/loket", "healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/loket"]
CMD ["run"]
