# The bot in a container: `docker compose up -d` (compose.yaml), or
#   docker build -t albania-sim-bot . && docker run -d --env-file .env -v simbot-data:/data albania-sim-bot
# Slim, runs as an unprivileged user, keeps its state in the /data volume, and tells Docker
# whether it works (HEALTHCHECK on /healthz, bot/telegram/runtime/health.py).

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY knowledge ./knowledge
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl && rm -rf /wheels \
    && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home simbot \
    && mkdir -p /data && chown simbot:simbot /data
USER simbot
WORKDIR /data
# The knowledge base is the copy inside the wheel; state, journal and caches go to the volume.
ENV BOT_DATA_DIR=/data \
    BOT_CACHE_DIR=/data/cache \
    BOT_HEALTH_PORT=8080 \
    BOT_HEALTH_LISTEN=0.0.0.0 \
    BOT_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status != 200)"]
# SIGTERM: updates in hand get 8 s, the rest stay journalled for the next start (Docker waits 10 s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["simbot"]
CMD ["run"]
