# One image per service: docker build --build-arg SERVICE=order -t tracing-demo/order .
# The builder compiles the service with `deno task compile` (so the binary keeps exactly the
# permission flags of its start:<service> task); the runtime stage holds only that binary.

ARG DENO_IMAGE=denoland/deno:2.9.6
ARG RUNTIME_IMAGE=debian:bookworm-20251229-slim

FROM ${DENO_IMAGE} AS build
ARG SERVICE
WORKDIR /src
COPY . .
RUN test -n "${SERVICE}" && test -f "${SERVICE}/main.ts" \
    || { echo "Invalid SERVICE \"${SERVICE}\": expected --build-arg SERVICE=user|order|producer|consumer|tracing" >&2; exit 1; }
# Fetches the npm packages exactly as deno.lock pins them; deno compile then downloads denort.
RUN deno install --frozen --entrypoint "${SERVICE}/main.ts"
RUN deno task compile "${SERVICE}"

FROM ${RUNTIME_IMAGE}
ARG SERVICE
# An unprivileged user that owns only the data directory (the binary may read/write ./data only).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app \
    && mkdir -p /app/data && chown app:app /app/data
WORKDIR /app
COPY --from=build /src/dist/${SERVICE} /app/service
# Deno's built-in telemetry (OTEL_DENO=true) reads the name before our code runs.
ENV OTEL_SERVICE_NAME=${SERVICE}
USER app
HEALTHCHECK --interval=10s --timeout=5s --start-period=15s --retries=3 \
    CMD ["/app/service", "--healthcheck"]
ENTRYPOINT ["/app/service"]
