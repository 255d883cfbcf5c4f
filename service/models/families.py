"""Model families as data (prompts/families.toml): which prompt folder and generation defaults a model gets."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ModelFamily:
    name: str
    model_types: tuple[str, ...]
    prompts: str
    name_contains: tuple[str, ...] = ()
    generation: dict[str, float | int] = field(default_factory=dict)


class UnknownFamilyError(ValueError):
    pass


def load_families(prompts_dir: Path) -> list[ModelFamily]:
    data = tomllib.loads((prompts_dir / "families.toml").read_text(encoding="utf-8"))
    return [
        ModelFamily(
            name=entry["name"],
            model_types=tuple(entry["model_types"]),
            prompts=entry["prompts"],
            name_contains=tuple(entry.get("name_contains", ())),
            generation=dict(entry.get("generation", {})),
        )
        for entry in data["family"]
    ]


def detect_family(
    families: list[ModelFamily], model_type: str, model_ref: str, forced: str | None = None
) -> ModelFamily:
    if forced:
        for family in families:
            if family.name == forced:
                return family
        raise UnknownFamilyError(f"no model family named {forced!r} in families.toml")
    ref = model_ref.lower()
    for family in families:
        if model_type in family.model_types and (
            not family.name_contains or any(part in ref for part in family.name_contains)
        ):
            return family
    raise UnknownFamilyError(f"model type {model_type!r} matches no family in families.toml; set NEWSFUSE_MODEL_FAMILY")


class PromptTemplate:
    """A prompt file with named ``{slots}``; kept as a file so it is edited, not coded."""

    def __init__(self, path: Path, required: tuple[str, ...] = ()) -> None:
        self.path = path
        self.text = path.read_text(encoding="utf-8")
        for slot in required:
            if "{" + slot + "}" not in self.text:
                raise ValueError(f"prompt {path} has no {{{slot}}} slot")

    def fill(self, **slots: str) -> str:
        text = self.text
        for name, value in slots.items():
            text = text.replace("{" + name + "}", value)
        return text.strip()

    def render(self, points: tuple[str, ...] | list[str], max_words: int) -> str:
        """The consensus-summary form: points as bullets, best first."""
        return self.fill(points="\n".join(f"- {p}" for p in points), max_words=str(max_words))


@dataclass(frozen=True)
class PromptSet:
    summary: PromptTemplate
    fuse: PromptTemplate
    headline: PromptTemplate
    disagreement: PromptTemplate

    @classmethod
    def load(cls, folder: Path, summary_override: Path | None = None) -> PromptSet:
        return cls(
            summary=PromptTemplate(summary_override or folder / "consensus_summary.txt", ("points",)),
            fuse=PromptTemplate(folder / "fuse.txt", ("points",)),
            headline=PromptTemplate(folder / "headline.txt", ("summary",)),
            disagreement=PromptTemplate(folder / "disagreement.txt", ("positions",)),
        )
