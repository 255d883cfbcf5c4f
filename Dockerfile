# syntax=docker/dockerfile:1
# newsfuse: CPU-only image that runs offline. The summarizer's weights are baked in at BUILD time, either
# downloaded from the model hub (MODEL_ID=a hub id) or copied from a directory under models/ in the build
# context (MODEL_ID=models/NAME); at run time HF_HUB_OFFLINE=1 forbids any hub access.

ARG PYTHON_VERSION=3.11

# The dependencies alone, from pyproject.toml: this layer survives changes to the code and the README.
FROM python:${PYTHON_VERSION}-slim AS deps
# binutils: `strip` for the trimming below (this stage only; the runtime stage has no build tools).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends binutils \
    && rm -rf /var/lib/apt/lists/*
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# CPU wheel of torch first: a bare `torch` would pull GBs of CUDA libraries. TORCH_INDEX_URL empty: pip's
# own settings decide where the wheel comes from (a mirror, a local wheel folder). Pinned by TORCH_VERSION,
# which hadolint does not expand (DL3013).
ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
# --no-compile: no .pyc from pip; the build stage compiles only the modules the service imports (below).
# hadolint ignore=DL3013
RUN pip install --no-compile ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"} "torch==${TORCH_VERSION}"
WORKDIR /src
COPY pyproject.toml ./
# An empty package with the project's metadata installs exactly the dependencies pyproject.toml lists.
RUN mkdir service && touch README.md service/__init__.py \
    && pip install --no-compile . \
    && pip uninstall --yes newsfuse \
    && rm -rf /src/*
# What the service never runs: test suites, torch's C++ headers (for C++ extensions and torch.compile,
# which the service does not use) and its test programs; and the symbol tables of the shared libraries
# (torch's alone are ~100 MB). Libraries that auditwheel vendored (*.libs/) were edited by patchelf and
# break when stripped, so they are left alone, and every stripped library must still load.
RUN set -eu; \
    site=$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'); \
    find "$site" -depth -type d \( -name tests -o -name test \) -not -path '*.dist-info/*' -exec rm -rf {} +; \
    rm -rf "$site/torch/include"; \
    find "$site/torch/bin" -type f -not -name torch_shm_manager -delete; \
    find "$site" -type f -name '*.so*' -not -path '*.libs/*' -exec strip --strip-unneeded {} +; \
    python -c 'import ctypes, pathlib, sys; libs = [p for p in pathlib.Path(sys.argv[1]).rglob("*.so*") if p.is_file() and ".libs/" not in str(p)]; [ctypes.CDLL(str(p)) for p in libs]; print(len(libs), "stripped libraries load")' "$site"

FROM deps AS build
COPY pyproject.toml README.md ./
COPY service ./service
COPY seeds ./seeds
# The package, checked against its dependencies; then pip itself goes (the runtime installs nothing). One run
# of the CLI on the seeds and an import of the server write the .pyc of every module they import; the rest
# (most of transformers' hundreds of model families, for one) stays source only, compiled if ever imported.
RUN set -eu; \
    pip install --no-compile --no-deps . && pip check; \
    pip uninstall --yes pip setuptools wheel; \
    HF_HUB_OFFLINE=1 python -m service summarize seeds/ > /dev/null 2> /tmp/warm-up.log \
        || { cat /tmp/warm-up.log; exit 1; }; \
    python -c 'import service.api.app, uvicorn'; \
    rm -rf /src/* /tmp/warm-up.log

# The weights: a hub id is downloaded into the Hugging Face cache (/opt/hf); a directory of the build
# context's models/ folder is checked and kept (only that one) for /app/models. Built from `deps`, so a
# code change does not download the model again.
FROM deps AS weights
ARG MODEL_ID=google/flan-t5-base
ENV HF_HOME=/opt/hf
WORKDIR /app
# pyproject.toml is there only so that the COPY has a source when the context has no models/ folder.
COPY pyproject.toml model[s] /opt/context-models/
RUN set -eu; mkdir -p /opt/hf /app/models; \
    case "$MODEL_ID" in \
      /* | ../* | ~*) \
        echo "MODEL_ID=$MODEL_ID: a local model directory must be inside the build context, under models/" >&2; \
        exit 1 ;; \
      ./* | models/*) \
        name=${MODEL_ID#./}; name=${name#models/}; name=${name%/}; \
        if [ -z "$name" ] || [ ! -f "/opt/context-models/$name/config.json" ]; then \
          echo "MODEL_ID=$MODEL_ID: no model directory models/$name (with a config.json) in the build context" >&2; \
          exit 1; \
        fi; \
        mkdir -p "/app/models/$(dirname "$name")"; \
        mv "/opt/context-models/$name" "/app/models/$name" ;; \
    esac; \
    rm -rf /opt/context-models; \
    chmod -R a+rX /app/models; \
    python -c 'import sys; from transformers import AutoModelForSeq2SeqLM as M, AutoTokenizer as T; T.from_pretrained(sys.argv[1]); M.from_pretrained(sys.argv[1]); print("weights ready:", sys.argv[1])' "$MODEL_ID"

# The non-root user and /data, made here so that the runtime stage runs nothing: podman gives every RUN
# step the build-time mounts (the host's pip settings) and leaves their empty mount points behind.
FROM python:${PYTHON_VERSION}-slim AS user
RUN useradd --create-home --uid 10001 newsfuse \
    && mkdir -p /data \
    && chown newsfuse:newsfuse /data

FROM python:${PYTHON_VERSION}-slim AS runtime
ARG MODEL_ID=google/flan-t5-base
COPY --from=user /etc/passwd /etc/group /etc/
COPY --from=user --chown=10001:10001 /home/newsfuse /home/newsfuse
# /data holds the job queue and results (SQLite, NEWSFUSE_JOBS_DB): writable by the non-root user; mount a
# volume there so queued jobs and finished results survive a new container.
COPY --from=user --chown=10001:10001 /data /data
COPY --from=build /opt/venv /opt/venv
COPY --from=weights --chown=newsfuse:newsfuse /opt/hf /opt/hf
WORKDIR /app
COPY --from=weights /app/models ./models
COPY prompts ./prompts
COPY seeds ./seeds
# A local MODEL_ID (models/NAME) is relative to /app, the working directory.
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
