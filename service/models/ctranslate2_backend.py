"""CTranslate2 backend: the same prompts and map-reduce, with int8 inference from a converted model.

Convert once with ``python -m service convert-ct2 --model MODEL --output DIR`` and set
``NEWSFUSE_BACKEND=ctranslate2`` and ``NEWSFUSE_MODEL=DIR``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

from transformers import AutoConfig, AutoTokenizer

from service.models.devices import ct2_device
from service.models.families import ModelFamily, PromptSet
from service.models.seq2seq import NEWSFUSE_META, GenerationSettings, PromptedSeq2Seq

TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "spiece.model",
    "vocab.json",
    "merges.txt",
    "sentencepiece.bpe.model",
    "added_tokens.json",
)


def convert(model_ref: str, output: Path, quantization: str = "int8", *, local_files_only: bool = True) -> Path:
    """Convert a Hugging Face seq2seq model to CTranslate2, keeping its tokenizer and model type beside it."""
    from ctranslate2.converters import TransformersConverter

    config = AutoConfig.from_pretrained(model_ref, local_files_only=local_files_only)
    TransformersConverter(model_ref).convert(str(output), quantization=quantization, force=True)
    tokenizer_dir = output / "tokenizer"
    AutoTokenizer.from_pretrained(model_ref, local_files_only=local_files_only).save_pretrained(tokenizer_dir)
    source = Path(model_ref)
    if source.is_dir():
        for name in TOKENIZER_FILES:
            if (source / name).is_file() and not (tokenizer_dir / name).exists():
                shutil.copy2(source / name, tokenizer_dir / name)
    window = getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings", None)
    meta = {
        "model_type": config.model_type,
        "source": model_ref,
        "quantization": quantization,
        "window": window,
    }
    (output / NEWSFUSE_META).write_text(json.dumps(meta, indent=2))
    return output


class CTranslate2Seq2Seq(PromptedSeq2Seq):
    def __init__(
        self,
        model_dir: str,
        family: ModelFamily,
        prompts: PromptSet,
        generation: GenerationSettings,
        *,
        compute_type: str = "int8",
        threads: int = 0,
        device: str = "cpu",
    ) -> None:
        """``device`` is a resolved torch device (``cpu``, ``cuda:N``); CTranslate2 needs its CUDA build there."""
        import ctranslate2

        directory = Path(model_dir)
        meta = json.loads((directory / NEWSFUSE_META).read_text())
        self.tokenizer = AutoTokenizer.from_pretrained(directory / "tokenizer", local_files_only=True)
        kind, index = ct2_device(device)
        self.translator = ctranslate2.Translator(
            str(directory), device=kind, device_index=index, compute_type=compute_type, intra_threads=threads
        )
        self.device = device
        self.compute_type = compute_type
        super().__init__(model_dir, family, prompts, generation)
        self.window = min(int(meta.get("window") or generation.max_input_tokens), generation.max_input_tokens)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=True)["input_ids"])

    def _generate_batch(self, prompts: Sequence[str], max_new_tokens: int, min_new_tokens: int) -> list[str]:
        sources = [
            self.tokenizer.convert_ids_to_tokens(ids)
            for ids in self.tokenizer(list(prompts), truncation=True, max_length=self.window)["input_ids"]
        ]
        results = self.translator.translate_batch(
            sources,
            beam_size=self.generation.num_beams,
            max_decoding_length=max_new_tokens,
            min_decoding_length=min_new_tokens,
            no_repeat_ngram_size=self.generation.no_repeat_ngram_size,
            length_penalty=self.generation.length_penalty,
        )
        decoded = []
        for result in results:
            ids = self.tokenizer.convert_tokens_to_ids(result.hypotheses[0])
            decoded.append(str(self.tokenizer.decode(ids, skip_special_tokens=True)))
        return decoded

    def backend_info(self) -> dict[str, object]:
        return {
            "backend": "ctranslate2",
            "quantization": self.compute_type,
            "device": self.device,
            "dtype": self.compute_type,
            "batch_size": self.generation.batch_size,
        }
