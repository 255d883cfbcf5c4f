"""Abstractive summaries from any ``AutoModelForSeq2SeqLM`` (T5, Flan-T5, BART, Pegasus) on the CPU."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from service.models.base import SummaryRequest, SummaryResult, clip_words

TOKENS_PER_WORD = 1.6


@dataclass(frozen=True)
class GenerationSettings:
    num_beams: int = 4
    no_repeat_ngram_size: int = 3
    length_penalty: float = 1.0
    max_input_tokens: int = 512


class PromptTemplate:
    """A prompt file with ``{points}`` and ``{max_words}`` slots, kept as a file to be edited, not coded."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.text = path.read_text(encoding="utf-8")
        if "{points}" not in self.text:
            raise ValueError(f"prompt {path} has no {{points}} slot")

    def render(self, points: Sequence[str], max_words: int) -> str:
        bullet_list = "\n".join(f"- {p}" for p in points)
        return self.text.replace("{points}", bullet_list).replace("{max_words}", str(max_words)).strip()


class Seq2SeqSummarizer:
    mode = "abstractive"

    def __init__(
        self,
        model_ref: str,
        prompt: PromptTemplate,
        generation: GenerationSettings,
        *,
        local_files_only: bool = True,
    ) -> None:
        self.name = model_ref
        self.prompt = prompt
        self.generation = generation
        self.tokenizer = AutoTokenizer.from_pretrained(model_ref, local_files_only=local_files_only)
        self.model = AutoModelForSeq2SeqLM.from_pretrained(model_ref, local_files_only=local_files_only)
        self.model.eval()
        window = getattr(self.model.config, "n_positions", None) or getattr(
            self.model.config, "max_position_embeddings", None
        )
        # T5's relative positions set no hard limit; the window it was trained on is the setting's.
        self.window = min(int(window or generation.max_input_tokens), generation.max_input_tokens)
        self._lock = threading.Lock()

    def _count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=True)["input_ids"])

    def _fit(self, request: SummaryRequest) -> tuple[str, int]:
        """The prompt with as many top points as fit the window (at least one, cut by the tokenizer)."""
        used = len(request.points)
        while (
            used > 1
            and self._count_tokens(self.prompt.render(request.points[:used], request.max_words)) > self.window
        ):
            used -= 1
        return self.prompt.render(request.points[:used], request.max_words), used

    def summarize(self, requests: Sequence[SummaryRequest]) -> list[SummaryResult]:
        if not requests:
            return []
        prompts, used = zip(*(self._fit(r) for r in requests), strict=True)
        max_words = max(r.max_words for r in requests)
        with self._lock, torch.inference_mode():
            batch = self.tokenizer(
                list(prompts), return_tensors="pt", padding=True, truncation=True, max_length=self.window
            )
            output = self.model.generate(
                **batch,
                max_new_tokens=int(max_words * TOKENS_PER_WORD) + 8,
                min_new_tokens=min(8, max_words),
                num_beams=self.generation.num_beams,
                no_repeat_ngram_size=self.generation.no_repeat_ngram_size,
                length_penalty=self.generation.length_penalty,
                early_stopping=True,
            )
        texts = self.tokenizer.batch_decode(output, skip_special_tokens=True)
        results = []
        for request, text, n_used in zip(requests, texts, used, strict=True):
            notes: list[str] = []
            if n_used < len(request.points):
                notes.append(
                    f"model window of {self.window} tokens: the summary was written from the top {n_used} of "
                    f"{len(request.points)} consensus points"
                )
            clipped, cut = clip_words(text, request.max_words)
            if cut:
                notes.append(f"model output cut to {request.max_words} words")
            results.append(SummaryResult(clipped, n_used, tuple(notes)))
        return results

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "mode": self.mode,
            "architecture": type(self.model).__name__,
            "window_tokens": self.window,
            "prompt": self.prompt.path.name,
        }
