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

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin loket \
 && mkdir -p /data && chown loket:loket /data
COPY --from=build /src/target/release/loket /usr/local/bin/loket
USER loket
ENV LOKET_DATA_DIR=/data
VOLUME ["/data"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/loket"]
CMD ["run"]
