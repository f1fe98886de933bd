# syntax=docker/dockerfile:1
# rrtc: two stages on Debian 12 (bookworm). The build stage uses the project's own
# scripts/install-deps.sh and a CMake Release build; the runtime stage holds the binary and the
# shared libraries it links, and runs as an unprivileged user.
#
#   docker build -t rrtc .
#   docker run --rm --network host rrtc                      # see README.md (Deployment)
#   docker run --rm -p 8080:8080 -p 10000-10100:10000-10100/udp \
#     -e RTC_MIN_PORT=10000 -e RTC_MAX_PORT=10100 -e PUBLIC_IP=203.0.113.7 rrtc

FROM debian:bookworm AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
# Only the rrtc target: no tests, benchmarks or fuzzers in the image. The web client (web/) is
# embedded into the binary at build time.
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DRRTC_BUILD_TESTS=OFF -DRRTC_BUILD_BENCH=OFF -DRRTC_BUILD_FUZZ=OFF \
 && cmake --build build --target rrtc -j"$(nproc)" \
 && strip build/rrtc \
 && build/rrtc --version

FROM debian:bookworm-slim AS runtime
# The runtime halves of the -dev packages install-deps.sh builds against, and the CA store
# https:// webhooks are verified against.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libboost-json1.81.0 libboost-program-options1.81.0 libboost-container1.81.0 \
      libtomlplusplus3 libspdlog1.10 libfmt9 libssl3 \
      libnice10 libglib2.0-0 libusrsctp2 liburing2 libhiredis0.14 \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/rrtc --create-home --shell /usr/sbin/nologin rrtc
COPY --from=build /src/build/rrtc /usr/local/bin/rrtc
COPY config.example.toml /etc/rrtc/config.example.toml

# rrtc reads `.env` from its working directory: mount one at /var/lib/rrtc/.env, or pass
# variables with -e / env_file, or a config file as the first argument
# (-v ./rrtc.toml:/etc/rrtc/rrtc.toml:ro ... rrtc /etc/rrtc/rrtc.toml).
WORKDIR /var/lib/rrtc
USER rrtc

# Signaling (HTTP + WebSocket) and the default RTC (ICE) UDP range; keep the range in line with
# RTC_MIN_PORT / RTC_MAX_PORT when publishing ports instead of using host networking.
EXPOSE 8080/tcp
EXPOSE 10000-20000/udp

# /healthz answers 200 while the server runs; bash's /dev/tcp avoids adding curl to the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${SIGNALING_PORT:-8080} && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]

# SIGTERM (docker stop) closes every session with a close frame, then exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/rrtc"]
CMD []
