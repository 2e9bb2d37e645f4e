# loket — multi-stage build: compile in the Rust image, run in a small
# Debian image as a non-root user with the database on the /data volume.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY locales ./locales
RUN cargo build --release --locked --bin loket

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
