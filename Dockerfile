# syntax=docker/dockerfile:1
# newsfuse: CPU-only image that runs offline. The default model's weights are downloaded at BUILD time
# (MODEL_ID) and baked in; at run time HF_HUB_OFFLINE=1 forbids any hub access.

ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# CPU wheel of torch first, from PyTorch's CPU index: a bare `torch` would pull GBs of CUDA libraries.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md ./
COPY service ./service
RUN pip install .

FROM build AS weights
ARG MODEL_ID=google/flan-t5-base
ENV HF_HOME=/opt/hf
RUN python -m service download-model --model "${MODEL_ID}"

FROM python:${PYTHON_VERSION}-slim AS runtime
ARG MODEL_ID=google/flan-t5-base
# /data holds the job queue and results (SQLite, NEWSFUSE_JOBS_DB): writable by the non-root user; mount a
# volume there so queued jobs and finished results survive a new container.
RUN useradd --create-home --uid 10001 newsfuse \
    && mkdir -p /data \
    && chown newsfuse:newsfuse /data
COPY --from=build /opt/venv /opt/venv
COPY --from=weights --chown=newsfuse:newsfuse /opt/hf /opt/hf
WORKDIR /app
COPY --chown=newsfuse:newsfuse prompts ./prompts
COPY --chown=newsfuse:newsfuse seeds ./seeds
ENV PATH=/opt/venv/bin:$PATH \
    HF_HOME=/opt/hf \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    PYTHONUNBUFFERED=1 \
    NEWSFUSE_MODEL=${MODEL_ID} \
    NEWSFUSE_PROMPTS_DIR=/app/prompts \
    NEWSFUSE_JOBS_DB=/data/newsfuse-jobs.sqlite3
USER 10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
CMD ["python", "-m", "service", "serve", "--host", "0.0.0.0", "--port", "8000"]
