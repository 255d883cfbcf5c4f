"""Abstractive summaries from a seq2seq model (T5, Flan-T5, BART, Pegasus), on the CPU or a GPU.

The prompting, the map-reduce over long inputs and the batching live in ``PromptedSeq2Seq``; a backend
only tokenizes and generates (``TransformersSeq2Seq`` here, ``CTranslate2Seq2Seq`` in ctranslate2.py).
"""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import AutoConfig, AutoModelForSeq2SeqLM, AutoTokenizer

from service.models.base import Condensation, DisagreementPrompt, SummaryRequest, SummaryResult, clip_words
from service.models.devices import Placement
from service.models.families import ModelFamily, PromptSet

TOKENS_PER_WORD = 1.6
HEADLINE_WORDS = 16
DISAGREEMENT_WORDS = 40
MAX_REDUCE_ROUNDS = 4
NEWSFUSE_META = "newsfuse.json"
"""Written beside converted weights (CTranslate2), whose config.json is not the Hugging Face one."""


@dataclass(frozen=True)
class GenerationSettings:
    num_beams: int = 4
    no_repeat_ngram_size: int = 3
    length_penalty: float = 1.0
    max_input_tokens: int = 512
    batch_size: int = 8

    @classmethod
    def for_family(cls, family: ModelFamily, **overrides: Any) -> GenerationSettings:
        values: dict[str, Any] = {k: v for k, v in family.generation.items() if k in cls.__dataclass_fields__}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def model_type_of(model_ref: str, *, local_files_only: bool = True) -> str:
    """``config.model_type`` of a hub id, a model directory, or a converted directory."""
    meta = Path(model_ref) / NEWSFUSE_META
    if meta.is_file():
        return str(json.loads(meta.read_text())["model_type"])
    config = AutoConfig.from_pretrained(model_ref, local_files_only=local_files_only)
    return str(config.model_type)


@dataclass
class _Job:
    """One request on its way through map (chunks) and reduce (fuse) rounds."""

    request: SummaryRequest
    pending: list[str]
    """Texts still to be summarized: points at first, partial summaries after a map round."""
    rounds: int = 0
    chunks: int = 0
    input_tokens: int = 0
    result: str | None = None
    truncated_points: int = 0


class PromptedSeq2Seq(ABC):
    mode = "abstractive"

    def __init__(self, name: str, family: ModelFamily, prompts: PromptSet, generation: GenerationSettings) -> None:
        self.name = name
        self.family = family
        self.prompts = prompts
        self.generation = generation
        self.window = generation.max_input_tokens
        self._lock = threading.Lock()

    # Backend ------------------------------------------------------------------------------------
    @abstractmethod
    def count_tokens(self, text: str) -> int: ...

    @abstractmethod
    def _generate_batch(self, prompts: Sequence[str], max_new_tokens: int, min_new_tokens: int) -> list[str]: ...

    def backend_info(self) -> dict[str, object]:
        return {}

    # Shared logic -------------------------------------------------------------------------------
    def generate(self, prompts: Sequence[str], max_words: int) -> list[str]:
        """Batched generation, longest prompts together so padding stays small."""
        if not prompts:
            return []
        max_new = int(max_words * TOKENS_PER_WORD) + 8
        min_new = min(8, max_new)
        order = sorted(range(len(prompts)), key=lambda k: -len(prompts[k]))
        out: list[str] = [""] * len(prompts)
        step = max(1, self.generation.batch_size)
        with self._lock:
            for first in range(0, len(order), step):
                batch = order[first : first + step]
                texts = self._generate_batch([prompts[k] for k in batch], max_new, min_new)
                for k, text in zip(batch, texts, strict=True):
                    out[k] = text.strip()
        return out

    def _generate_by_length(self, prompts: list[str], max_words: list[int]) -> list[str]:
        """Each prompt generated with its own request's length limit (one batch per distinct limit)."""
        out: list[str] = [""] * len(prompts)
        for limit in sorted(set(max_words)):
            indices = [k for k, words in enumerate(max_words) if words == limit]
            for k, text in zip(indices, self.generate([prompts[k] for k in indices], limit), strict=True):
                out[k] = text
        return out

    def _chunks(self, texts: list[str], max_words: int, fuse: bool) -> tuple[list[list[str]], int]:
        """Greedy runs of whole texts (sentence boundaries kept) whose prompt fits the window."""
        template = self.prompts.fuse if fuse else self.prompts.summary
        chunks: list[list[str]] = []
        current: list[str] = []
        too_long = 0
        for text in texts:
            trial = [*current, text]
            if self.count_tokens(template.render(trial, max_words)) <= self.window:
                current = trial
                continue
            if current:
                chunks.append(current)
            current = [text]
            if self.count_tokens(template.render(current, max_words)) > self.window:
                too_long += 1  # one sentence longer than the window: the tokenizer cuts it
        if current:
            chunks.append(current)
        return chunks, too_long

    def summarize(self, requests: Sequence[SummaryRequest]) -> list[SummaryResult]:
        jobs = [_Job(request=r, pending=list(r.points)) for r in requests]
        for job in jobs:
            job.input_tokens = self.count_tokens(self.prompts.summary.render(job.request.points, job.request.max_words))
        for round_number in range(MAX_REDUCE_ROUNDS + 1):
            active = [j for j in jobs if j.result is None]
            if not active:
                break
            prompts: list[str] = []
            owners: list[tuple[_Job, bool]] = []
            plans: dict[int, int] = {}
            for job in active:
                fuse = job.rounds > 0
                template = self.prompts.fuse if fuse else self.prompts.summary
                chunks, too_long = self._chunks(job.pending, job.request.max_words, fuse)
                if round_number == MAX_REDUCE_ROUNDS:
                    chunks = [job.pending]  # last round: fuse whatever is left, truncated by the tokenizer
                job.truncated_points += too_long if not fuse else 0
                if len(chunks) > 1:
                    job.chunks = max(job.chunks, len(chunks))
                plans[id(job)] = len(chunks)
                for chunk in chunks:
                    prompts.append(template.render(chunk, job.request.max_words))
                    owners.append((job, len(chunks) == 1))
            texts = self._generate_by_length(prompts, [job.request.max_words for job, _ in owners])
            partials: dict[int, list[str]] = {}
            for (job, final), text in zip(owners, texts, strict=True):
                if final:
                    job.result = text
                else:
                    partials.setdefault(id(job), []).append(text)
            for job in active:
                if job.result is None:
                    job.pending = partials[id(job)]
                    job.rounds += 1

        results = []
        for job in jobs:
            request = job.request
            notes: list[str] = []
            condensed = None
            if job.rounds:
                condensed = Condensation(
                    method="map-reduce",
                    input_tokens=job.input_tokens,
                    window_tokens=self.window,
                    chunks=job.chunks,
                    rounds=job.rounds,
                )
                notes.append(
                    f"the {len(request.points)} consensus points ({job.input_tokens} tokens) exceed the model "
                    f"window of {self.window} tokens: they were summarized in {job.chunks} chunks, then fused "
                    f"({job.rounds} reduce round{'s' if job.rounds > 1 else ''})"
                )
            if job.truncated_points:
                notes.append(
                    f"{job.truncated_points} consensus point(s) longer than the model window were cut to "
                    f"{self.window} tokens before summarizing"
                )
            text, cut = clip_words(job.result or "", request.max_words)
            if cut:
                notes.append(f"model output cut to {request.max_words} words")
            results.append(SummaryResult(text, len(request.points), tuple(notes), condensed))
        return results

    def headlines(self, summaries: Sequence[str]) -> list[str | None]:
        wanted = [k for k, s in enumerate(summaries) if s.strip()]
        texts = self.generate([self.prompts.headline.fill(summary=summaries[k]) for k in wanted], HEADLINE_WORDS)
        out: list[str | None] = [None] * len(summaries)
        for k, text in zip(wanted, texts, strict=True):
            out[k] = clip_words(text, HEADLINE_WORDS)[0] or None
        return out

    def describe_disagreements(self, items: Sequence[DisagreementPrompt]) -> list[str | None]:
        prompts = [
            self.prompts.disagreement.fill(aspect=item.aspect, positions="\n".join(f"- {p}" for p in item.positions))
            for item in items
        ]
        return [clip_words(t, DISAGREEMENT_WORDS)[0] or None for t in self.generate(prompts, DISAGREEMENT_WORDS)]

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "mode": self.mode,
            "family": self.family.name,
            "window_tokens": self.window,
            "prompts": str(self.prompts.summary.path.parent.name),
            "generation": {
                "num_beams": self.generation.num_beams,
                "no_repeat_ngram_size": self.generation.no_repeat_ngram_size,
                "length_penalty": self.generation.length_penalty,
            },
            **self.backend_info(),
        }


class TransformersSeq2Seq(PromptedSeq2Seq):
    """Any ``AutoModelForSeq2SeqLM`` by hub id (from the local cache) or directory.

    ``placement`` puts it on a device in a precision (``service.models.devices.seq2seq_placement``): on a GPU
    the weights are loaded in that dtype (bfloat16 by default) and the inputs moved there; on the CPU the
    weights stay float32 and a lower precision, when asked for, runs under ``torch.autocast``.
    """

    def __init__(
        self,
        model_ref: str,
        family: ModelFamily,
        prompts: PromptSet,
        generation: GenerationSettings,
        *,
        local_files_only: bool = True,
        quantize_int8: bool = False,
        placement: Placement | None = None,
    ) -> None:
        self.placement = placement or Placement("cpu", torch.float32)
        if quantize_int8 and self.placement.device != "cpu":
            raise ValueError("NEWSFUSE_QUANTIZE_INT8 (dynamic int8) runs on the CPU only; set NEWSFUSE_DEVICE=cpu")
        self.tokenizer = AutoTokenizer.from_pretrained(model_ref, local_files_only=local_files_only)
        weights_dtype = torch.float32 if self.placement.device == "cpu" else self.placement.dtype
        model = AutoModelForSeq2SeqLM.from_pretrained(model_ref, local_files_only=local_files_only, dtype=weights_dtype)
        model.to(self.placement.device)
        model.eval()
        if quantize_int8:
            # Dynamic int8 on the Linear layers: about half the memory, faster matmuls on CPUs with VNNI.
            from torch.ao.quantization import quantize_dynamic

            model = quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)  # type: ignore[no-untyped-call]
        self.model = model
        self.quantized = quantize_int8
        config_window = getattr(model.config, "n_positions", None) or getattr(
            model.config, "max_position_embeddings", None
        )
        # T5's relative positions set no hard limit; the window it was trained on is the setting's.
        window = min(int(config_window or generation.max_input_tokens), generation.max_input_tokens)
        super().__init__(model_ref, family, prompts, generation)
        self.window = window

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=True)["input_ids"])

    def _precision(self) -> AbstractContextManager[object]:
        if self.placement.autocast:
            return torch.autocast("cpu", dtype=self.placement.dtype)
        return nullcontext()

    def _generate_batch(self, prompts: Sequence[str], max_new_tokens: int, min_new_tokens: int) -> list[str]:
        with torch.inference_mode(), self._precision():
            batch = self.tokenizer(
                list(prompts), return_tensors="pt", padding=True, truncation=True, max_length=self.window
            ).to(self.placement.device)
            output = self.model.generate(
                **batch,
                max_new_tokens=max_new_tokens,
                min_new_tokens=min_new_tokens,
                num_beams=self.generation.num_beams,
                no_repeat_ngram_size=self.generation.no_repeat_ngram_size,
                length_penalty=self.generation.length_penalty,
                early_stopping=True,
            )
        return list(self.tokenizer.batch_decode(output, skip_special_tokens=True))

    def backend_info(self) -> dict[str, object]:
        return {
            "backend": "transformers",
            "architecture": type(self.model).__name__,
            "quantization": "dynamic-int8" if self.quantized else None,
            "torch_threads": torch.get_num_threads(),
            **self.placement.describe(),
            "batch_size": self.generation.batch_size,
        }
