"""Model families and prompts are data: prompts/families.toml and one folder of prompt files per family."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.models.families import PromptSet, PromptTemplate, UnknownFamilyError, detect_family, load_families
from service.models.seq2seq import GenerationSettings
from service.settings import PROJECT_ROOT

PROMPTS = PROJECT_ROOT / "prompts"


@pytest.mark.parametrize(
    ("model_type", "model_ref", "family", "prompt_start"),
    [
        ("t5", "google/flan-t5-base", "flan-t5", "Summarize in at most"),
        ("t5", "/models/FLAN-T5-large", "flan-t5", "Summarize in at most"),
        ("t5", "t5-small", "t5", "summarize:"),
        ("bart", "facebook/bart-large-cnn", "bart", "- "),
        ("pegasus", "google/pegasus-multi_news", "bart", "- "),
    ],
)
def test_family_is_detected_from_model_type_and_id(
    model_type: str, model_ref: str, family: str, prompt_start: str
) -> None:
    found = detect_family(load_families(PROMPTS), model_type, model_ref)
    assert found.name == family
    prompts = PromptSet.load(PROMPTS / found.prompts)
    assert prompts.summary.render(["Point one.", "Point two."], 50).startswith(prompt_start)


def test_every_family_folder_has_every_task() -> None:
    for family in load_families(PROMPTS):
        prompts = PromptSet.load(PROMPTS / family.prompts)
        assert "Point." in prompts.summary.render(["Point."], 30)
        assert "Partial." in prompts.fuse.render(["Partial."], 30)
        assert "A summary." in prompts.headline.fill(summary="A summary.")
        assert "side A" in prompts.disagreement.fill(aspect="the day", positions="- side A")


def test_unknown_model_type_and_forced_family() -> None:
    families = load_families(PROMPTS)
    with pytest.raises(UnknownFamilyError):
        detect_family(families, "gpt2", "gpt2")
    assert detect_family(families, "gpt2", "gpt2", forced="bart").name == "bart"
    with pytest.raises(UnknownFamilyError):
        detect_family(families, "t5", "t5-small", forced="nonexistent")


def test_generation_defaults_come_from_the_family_and_settings_override_them() -> None:
    bart = detect_family(load_families(PROMPTS), "bart", "bart")
    assert GenerationSettings.for_family(bart).length_penalty == 2.0
    overridden = GenerationSettings.for_family(bart, length_penalty=0.8, num_beams=None)
    assert overridden.length_penalty == 0.8
    assert overridden.num_beams == bart.generation["num_beams"]


def test_a_template_without_its_slot_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("Summarize this please.")
    with pytest.raises(ValueError, match="points"):
        PromptTemplate(bad, ("points",))
