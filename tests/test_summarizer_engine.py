"""The seq2seq engine on a real (random-weight) T5: map-reduce, int8, CTranslate2, headlines, honesty."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from service.models.base import SummaryRequest, clip_words
from service.models.loader import load_seq2seq
from service.models.seq2seq import TOKENS_PER_WORD, PromptedSeq2Seq, TransformersSeq2Seq
from service.settings import PROJECT_ROOT, Settings

SEEDS = PROJECT_ROOT / "seeds"
POINTS = tuple(
    s.strip() + "."
    for s in (SEEDS / "001_542bf9c6ac75e8b8.txt").read_text(encoding="utf-8").split(".")
    if len(s.split()) > 8
)[:12]


@pytest.fixture(scope="module")
def t5_dir(tiny_t5_dir: Path) -> Path:
    return tiny_t5_dir


def _load(t5_dir: Path, **extra: object) -> PromptedSeq2Seq:
    summarizer = load_seq2seq(Settings(model=str(t5_dir), num_beams=2, **extra))  # type: ignore[arg-type]
    assert isinstance(summarizer, PromptedSeq2Seq)
    return summarizer


def test_points_within_the_window_are_summarized_in_one_pass(t5_dir: Path) -> None:
    summarizer = _load(t5_dir)
    [result] = summarizer.summarize([SummaryRequest(POINTS[:3], 40)])
    assert result.condensed is None
    assert result.points_used == 3
    assert result.notes == ()
    # The real model ran on the rendered prompt: transformers' own generate gives the same text.
    assert isinstance(summarizer, TransformersSeq2Seq)
    prompt = summarizer.prompts.summary.render(POINTS[:3], 40)
    with torch.inference_mode():
        output = summarizer.model.generate(
            **summarizer.tokenizer([prompt], return_tensors="pt"),
            max_new_tokens=int(40 * TOKENS_PER_WORD) + 8,
            min_new_tokens=8,
            num_beams=2,
            no_repeat_ngram_size=3,
            length_penalty=1.0,
            early_stopping=True,
        )
    direct = summarizer.tokenizer.decode(output[0], skip_special_tokens=True).strip()
    assert result.text == clip_words(direct, 40)[0]
    assert result.text


def test_points_over_the_window_are_mapped_then_fused_and_the_response_says_so(t5_dir: Path) -> None:
    summarizer = _load(t5_dir, max_input_tokens=96)
    request = SummaryRequest(POINTS, 30)
    full_prompt_tokens = summarizer.count_tokens(summarizer.prompts.summary.render(POINTS, 30))
    assert full_prompt_tokens > 96
    [result] = summarizer.summarize([request])
    assert result.condensed is not None
    assert result.condensed.method == "map-reduce"
    assert result.condensed.chunks >= 2
    assert result.condensed.input_tokens == full_prompt_tokens
    assert result.condensed.window_tokens == 96
    assert result.points_used == len(POINTS)
    assert any("exceed the model window of 96 tokens" in note for note in result.notes)


def test_a_batch_returns_one_result_per_request_in_order(t5_dir: Path) -> None:
    summarizer = _load(t5_dir, batch_size=2)
    requests = [SummaryRequest(POINTS[k : k + 2], 25) for k in range(0, 6, 2)]
    batched = summarizer.summarize(requests)
    one_by_one = [summarizer.summarize([r])[0] for r in requests]
    assert len(batched) == 3
    assert [r.points_used for r in batched] == [2, 2, 2]
    # Batching pads prompts; with T5's attention mask the outputs stay close to one-at-a-time outputs.
    assert sum(a.text == b.text for a, b in zip(batched, one_by_one, strict=True)) >= 2


def test_headlines_and_disagreement_sentences_come_from_their_prompt_files(t5_dir: Path) -> None:
    summarizer = _load(t5_dir)
    assert summarizer.prompts.headline.path.name == "headline.txt"
    heads = summarizer.headlines(["Blinken and Lavrov spoke by phone.", ""])
    assert isinstance(heads[0], str)
    assert heads[1] is None


def test_dynamic_int8_quantization_runs_the_same_interface(t5_dir: Path) -> None:
    summarizer = _load(t5_dir, quantize_int8=True)
    assert isinstance(summarizer, TransformersSeq2Seq)
    assert summarizer.describe()["quantization"] == "dynamic-int8"
    [result] = summarizer.summarize([SummaryRequest(POINTS[:2], 20)])
    assert isinstance(result.text, str)


def test_ctranslate2_backend_on_a_converted_model(t5_dir: Path, tmp_path: Path) -> None:
    from service.models.ctranslate2_backend import convert

    converted = convert(str(t5_dir), tmp_path / "ct2", "int8")
    summarizer = _load(converted, backend="ctranslate2")
    info = summarizer.describe()
    assert info["backend"] == "ctranslate2"
    assert info["family"] == "t5"
    [result] = summarizer.summarize([SummaryRequest(POINTS[:2], 20)])
    assert isinstance(result.text, str)


def test_the_summarizer_runs_where_the_settings_put_it(t5_dir: Path) -> None:
    default = _load(t5_dir)
    assert isinstance(default, TransformersSeq2Seq)
    assert default.describe()["device"] == "cpu" and default.describe()["dtype"] == "float32"
    assert next(default.model.parameters()).dtype == torch.float32
    assert default.generation.batch_size == 8  # the CPU default
    assert _load(t5_dir, batch_size=3).generation.batch_size == 3


def test_bfloat16_on_the_cpu_is_autocast_and_still_generates(t5_dir: Path) -> None:
    summarizer = _load(t5_dir, device="cpu", dtype="bfloat16")
    assert isinstance(summarizer, TransformersSeq2Seq)
    assert summarizer.describe()["dtype"] == "bfloat16"
    assert next(summarizer.model.parameters()).dtype == torch.float32  # weights stay float32 on the CPU
    [result] = summarizer.summarize([SummaryRequest(POINTS[:3], 40)])
    assert result.text.strip()


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the refusal on a machine without CUDA")
def test_a_gpu_asked_for_where_there_is_none_is_refused_with_the_reason(t5_dir: Path) -> None:
    from service.models.loader import load_summarizer

    with pytest.raises(ValueError, match="CUDA is not available"):
        load_seq2seq(Settings(model=str(t5_dir), device="cuda"))
    fallback = load_summarizer(Settings(model=str(t5_dir), device="cuda:1"))
    assert fallback.mode == "extractive"
    assert "CUDA is not available" in str(fallback.describe()["reason"])


def test_int8_quantization_is_refused_off_the_cpu() -> None:
    from service.models.devices import Placement

    with pytest.raises(ValueError, match="CPU only"):
        TransformersSeq2Seq(
            "unused",
            None,
            None,
            None,
            quantize_int8=True,
            placement=Placement("cuda:0", torch.bfloat16),  # type: ignore[arg-type]
        )
