"""Loads the configured summarizer once, falling back to the labelled extractive mode when allowed."""

from __future__ import annotations

from pathlib import Path

import structlog
import torch

from service.models.base import Summarizer
from service.models.devices import batch_size_for, ct2_compute_type, seq2seq_placement
from service.models.extractive import ExtractiveSummarizer
from service.models.families import PromptSet, detect_family, load_families
from service.models.seq2seq import GenerationSettings, TransformersSeq2Seq, model_type_of
from service.settings import Settings

log = structlog.get_logger(__name__)


class ModelUnavailableError(RuntimeError):
    pass


def load_seq2seq(settings: Settings) -> Summarizer:
    """The configured seq2seq backend; raises OSError/ValueError/ImportError when it cannot load."""
    if settings.torch_threads:
        torch.set_num_threads(settings.torch_threads)
    if settings.model.startswith(("/", "./", "../", "~")) and not Path(settings.model).expanduser().is_dir():
        raise OSError(f"model directory {settings.model} does not exist")
    # Weights are read from a directory or the local cache only: a hub lookup at run time would hang
    # for a minute of retries on an offline host. `python -m service download-model` fetches them.
    family = detect_family(
        load_families(settings.prompts_dir),
        model_type_of(settings.model, local_files_only=True),
        settings.model,
        settings.model_family,
    )
    placement = seq2seq_placement(settings.device, settings.dtype)
    override = settings.prompts_dir / settings.prompt_file if settings.prompt_file else None
    prompts = PromptSet.load(settings.prompts_dir / family.prompts, override)
    generation = GenerationSettings.for_family(
        family,
        num_beams=settings.num_beams,
        no_repeat_ngram_size=settings.no_repeat_ngram_size,
        length_penalty=settings.length_penalty,
        max_input_tokens=settings.max_input_tokens,
        batch_size=batch_size_for(settings.batch_size, "summarizer", placement.device),
    )
    if settings.backend == "ctranslate2":
        from service.models.ctranslate2_backend import CTranslate2Seq2Seq

        return CTranslate2Seq2Seq(
            settings.model,
            family,
            prompts,
            generation,
            compute_type=ct2_compute_type(settings.ct2_compute_type, placement.device),
            threads=settings.torch_threads or 0,
            device=placement.device,
        )
    return TransformersSeq2Seq(
        settings.model,
        family,
        prompts,
        generation,
        local_files_only=True,
        quantize_int8=settings.quantize_int8,
        placement=placement,
    )


def load_summarizer(settings: Settings) -> Summarizer:
    try:
        return load_seq2seq(settings)
    except (OSError, ValueError, ImportError, KeyError) as exc:
        first_line = (str(exc).splitlines() or [""])[0]
        reason = f"model {settings.model!r} could not be loaded: {type(exc).__name__}: {first_line}"
        if settings.require_model:
            raise ModelUnavailableError(reason) from exc
        log.warning("summarizer_fallback", reason=reason, mode="extractive")
        return ExtractiveSummarizer(reason=reason)
