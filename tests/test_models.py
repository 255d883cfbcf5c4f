"""Model backends: the real seq2seq path on tiny T5 and BART, prompt templates, word clipping, extractive mode."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from helpers import SEEDS_DIR

from service.models.base import SummaryRequest, clip_words
from service.models.extractive import ExtractiveSummarizer
from service.models.families import PromptTemplate
from service.models.loader import ModelUnavailableError, load_summarizer
from service.models.seq2seq import TOKENS_PER_WORD, TransformersSeq2Seq
from service.settings import PROJECT_ROOT, Settings

POINTS = tuple(
    s.strip() + "."
    for s in (SEEDS_DIR / "001_542bf9c6ac75e8b8.txt").read_text(encoding="utf-8").split(".")
    if len(s.split()) > 8
)[:10]
MODELS = ["tiny_t5_dir", "tiny_bart_dir"]


def load(model_dir: Path, **extra: object) -> TransformersSeq2Seq:
    summarizer = load_summarizer(Settings(model=str(model_dir), num_beams=2, require_model=True, **extra))  # type: ignore[arg-type]
    assert isinstance(summarizer, TransformersSeq2Seq)
    return summarizer


def generate_directly(summarizer: TransformersSeq2Seq, prompt: str, max_words: int) -> str:
    """transformers' own ``generate`` on one prompt, with the generation settings the summarizer was given."""
    max_new = int(max_words * TOKENS_PER_WORD) + 8
    batch = summarizer.tokenizer([prompt], return_tensors="pt", truncation=True, max_length=summarizer.window)
    with torch.inference_mode():
        output = summarizer.model.generate(
            **batch,
            max_new_tokens=max_new,
            min_new_tokens=min(8, max_new),
            num_beams=summarizer.generation.num_beams,
            no_repeat_ngram_size=summarizer.generation.no_repeat_ngram_size,
            length_penalty=summarizer.generation.length_penalty,
            early_stopping=True,
        )
    text = summarizer.tokenizer.decode(output[0], skip_special_tokens=True).strip()
    return clip_words(text, max_words)[0]


@pytest.mark.parametrize("model_fixture", MODELS)
def test_summary_is_the_models_own_generation_on_the_prompt_file(
    model_fixture: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    model_dir: Path = request.getfixturevalue(model_fixture)
    prompt_file = tmp_path / "my_prompt.txt"
    prompt_file.write_text("Facts to condense into {max_words} words:\n{points}\n", encoding="utf-8")
    summarizer = load(model_dir, prompt_file=str(prompt_file))
    assert summarizer.prompts.summary.path == prompt_file
    [result] = summarizer.summarize([SummaryRequest(POINTS[:3], 40)])
    prompt = "Facts to condense into 40 words:\n" + "\n".join(f"- {p}" for p in POINTS[:3])
    assert summarizer.prompts.summary.render(POINTS[:3], 40) == prompt
    assert result.text == generate_directly(summarizer, prompt, 40)
    assert result.text
    assert result.points_used == 3
    assert result.condensed is None
    # Same input, same output: generation is deterministic.
    assert summarizer.summarize([SummaryRequest(POINTS[:3], 40)])[0].text == result.text


def test_family_settings_reach_generation(tiny_t5_dir: Path, tiny_bart_dir: Path) -> None:
    t5 = load(tiny_t5_dir).describe()
    bart = load(tiny_bart_dir).describe()
    assert (t5["family"], t5["prompts"], t5["architecture"]) == ("t5", "t5", "T5ForConditionalGeneration")
    assert (bart["family"], bart["prompts"], bart["architecture"]) == ("bart", "plain", "BartForConditionalGeneration")
    assert bart["generation"] == {"num_beams": 2, "no_repeat_ngram_size": 3, "length_penalty": 2.0}
    # T5 has no hard position limit: the setting is the window. BART's position table caps it.
    assert t5["window_tokens"] == 512
    assert bart["window_tokens"] == 400


@pytest.mark.parametrize("model_fixture", MODELS)
def test_a_batch_gives_one_result_per_request_in_order(model_fixture: str, request: pytest.FixtureRequest) -> None:
    model_dir: Path = request.getfixturevalue(model_fixture)
    # One prompt per generate call (and one length budget for all), so batching cannot change the text:
    # only the order is under test. Prompts of different lengths are generated longest first.
    summarizer = load(model_dir, batch_size=1)
    requests = [SummaryRequest(POINTS[:1], 25), SummaryRequest(POINTS[1:4], 25), SummaryRequest(POINTS[4:6], 25)]
    batched = summarizer.summarize(requests)
    assert len(batched) == len(requests)
    assert [r.points_used for r in batched] == [1, 3, 2]
    assert [r.text for r in batched] == [summarizer.summarize([r])[0].text for r in requests]
    assert [len(r.text.split()) <= q.max_words for r, q in zip(batched, requests, strict=True)] == [True] * 3
    # Generated together in one padded batch: still one result per request.
    together = load(model_dir).summarize(requests)
    assert [r.points_used for r in together] == [1, 3, 2]
    assert all(r.text for r in together)


@pytest.mark.parametrize("model_fixture", MODELS)
def test_points_over_the_window_are_condensed_and_the_result_says_so(
    model_fixture: str, request: pytest.FixtureRequest
) -> None:
    model_dir: Path = request.getfixturevalue(model_fixture)
    summarizer = load(model_dir, max_input_tokens=64)
    assert summarizer.window == 64
    tokens = summarizer.count_tokens(summarizer.prompts.summary.render(POINTS, 30))
    assert tokens > 64
    [result] = summarizer.summarize([SummaryRequest(POINTS, 30)])
    # Nothing is dropped silently: every point went in, through map-reduce, and a note says how.
    assert result.points_used == len(POINTS)
    assert result.condensed is not None
    assert result.condensed.input_tokens == tokens
    assert result.condensed.window_tokens == 64
    assert result.condensed.chunks >= 2
    assert any("exceed the model window of 64 tokens" in note for note in result.notes)


def test_a_point_longer_than_the_window_is_cut_and_the_result_says_so(tiny_t5_dir: Path) -> None:
    summarizer = load(tiny_t5_dir, max_input_tokens=32)
    long_point = " ".join(POINTS[:3])
    assert summarizer.count_tokens(long_point) > 32
    [result] = summarizer.summarize([SummaryRequest((long_point,), 20)])
    assert any("longer than the model window were cut to 32 tokens" in note for note in result.notes)


def test_headlines_skip_empty_summaries(tiny_bart_dir: Path) -> None:
    heads = load(tiny_bart_dir).headlines(["Blinken and Lavrov spoke by phone on Tuesday.", "  "])
    assert isinstance(heads[0], str)
    assert heads[0] and len(heads[0].split()) <= 16
    assert heads[1] is None


# Loading --------------------------------------------------------------------------------------------------


def test_a_missing_model_falls_back_to_extractive_with_the_reason(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-model")
    summarizer = load_summarizer(Settings(model=missing))
    assert isinstance(summarizer, ExtractiveSummarizer)
    assert summarizer.mode == "extractive"
    assert missing in str(summarizer.describe()["reason"])


def test_a_missing_model_is_an_error_when_required(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="no-such-model"):
        load_summarizer(Settings(model=str(tmp_path / "no-such-model"), require_model=True))


def test_a_prompt_file_without_points_slot_is_refused(tiny_t5_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad_prompt.txt"
    bad.write_text("Summarize the news in {max_words} words.\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\{points\}"):
        PromptTemplate(bad, ("points",))
    with pytest.raises(ModelUnavailableError, match="points"):
        load_summarizer(Settings(model=str(tiny_t5_dir), prompt_file=str(bad), require_model=True))


# Prompt templates ---------------------------------------------------------------------------------------------


def test_prompt_templates_render_from_the_prompt_files() -> None:
    prompts = PROJECT_ROOT / "prompts"
    points = ("Blinken and Lavrov spoke by phone.", "They agreed to talk again.")
    t5 = PromptTemplate(prompts / "t5" / "consensus_summary.txt", ("points",))
    assert t5.render(points, 50) == "summarize: - Blinken and Lavrov spoke by phone.\n- They agreed to talk again."
    flan = PromptTemplate(prompts / "flan-t5" / "consensus_summary.txt", ("points",)).render(points, 50)
    assert "at most 50 words" in flan
    assert flan.endswith("- Blinken and Lavrov spoke by phone.\n- They agreed to talk again.")
    assert "{" not in flan
    headline = PromptTemplate(prompts / "flan-t5" / "headline.txt", ("summary",)).fill(summary="S.")
    assert headline.endswith("S.")


def test_template_text_with_braces_in_points_is_kept_verbatim(tmp_path: Path) -> None:
    template = tmp_path / "t.txt"
    template.write_text("summarize: {points}", encoding="utf-8")
    assert PromptTemplate(template, ("points",)).render(("a {weird} point",), 10) == "summarize: - a {weird} point"


# clip_words ----------------------------------------------------------------------------------------------------


def test_clip_words_keeps_text_within_the_limit() -> None:
    assert clip_words("  Two sentences. Both short.  ", 10) == ("Two sentences. Both short.", False)


def test_clip_words_cuts_at_the_last_sentence_end() -> None:
    assert clip_words("One two three. Four five six seven.", 5) == ("One two three.", True)


def test_clip_words_keeps_a_sentence_ending_exactly_at_the_limit() -> None:
    assert clip_words("One two. Three four. Five six", 4) == ("One two. Three four.", True)


def test_clip_words_without_a_sentence_end_cuts_at_the_word_limit() -> None:
    assert clip_words("one two three four five", 3) == ("one two three…", True)


# Extractive ----------------------------------------------------------------------------------------------------


def test_extractive_summary_takes_whole_points_within_max_words() -> None:
    points = ("One two three.", "Four five six.", "Seven eight nine ten.")
    [result] = ExtractiveSummarizer().summarize([SummaryRequest(points, 7)])
    assert result.text == "One two three. Four five six."
    assert result.points_used == 2
    assert result.notes == ("1 lower-ranked points left out to stay within 7 words",)


def test_extractive_summary_uses_all_points_when_they_fit() -> None:
    points = ("One two three.", "Four five six.")
    [result] = ExtractiveSummarizer().summarize([SummaryRequest(points, 50)])
    assert result.text == "One two three. Four five six."
    assert result.points_used == 2
    assert result.notes == ()


def test_extractive_writes_no_headlines_or_descriptions() -> None:
    summarizer = ExtractiveSummarizer(reason="no model")
    assert summarizer.headlines(["A summary."]) == [None]
    assert summarizer.describe() == {"name": "extractive-fallback", "mode": "extractive", "reason": "no model"}
