"""Loads the configured summarizer once, falling back to the labelled extractive mode when allowed."""

from __future__ import annotations

import structlog
import torch

from service.models.base import Summarizer
from service.models.extractive import ExtractiveSummarizer
from service.models.seq2seq import GenerationSettings, PromptTemplate, Seq2SeqSummarizer
from service.settings import Settings

log = structlog.get_logger(__name__)


class ModelUnavailableError(RuntimeError):
    pass


def load_summarizer(settings: Settings) -> Summarizer:
    if settings.torch_threads:
        torch.set_num_threads(settings.torch_threads)
    prompt = PromptTemplate(settings.prompts_dir / settings.prompt_file)
    generation = GenerationSettings(
        num_beams=settings.num_beams,
        no_repeat_ngram_size=settings.no_repeat_ngram_size,
        length_penalty=settings.length_penalty,
        max_input_tokens=settings.max_input_tokens,
    )
    try:
        # Weights are read from a directory or the local cache only: a hub lookup at run time would hang
        # for a minute of retries on an offline host. `python -m service download-model` fetches them.
        return Seq2SeqSummarizer(settings.model, prompt, generation, local_files_only=True)
    except (OSError, ValueError) as exc:
        reason = (
            f"model {settings.model!r} could not be loaded: {type(exc).__name__}: {str(exc).splitlines()[0]}"
        )
        if settings.require_model:
            raise ModelUnavailableError(reason) from exc
        log.warning("summarizer_fallback", reason=reason, mode="extractive")
        return ExtractiveSummarizer(reason=reason)
