"""Seq2seq models with random weights, built offline, for tests and benchmarks.

No hub is reachable from CI or from this project's machines, so tests and speed benchmarks build a model
from a config at run time (random weights, a sentencepiece vocabulary trained on the given texts) and
then load it through the same ``from_pretrained`` path as real weights. Their output is noise; their
shapes, tokenizers and compute are real.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

T5_SHAPES: dict[str, dict[str, int]] = {
    # A few thousand parameters: fast enough for unit tests.
    "tiny": {"d_model": 32, "d_ff": 64, "num_layers": 2, "num_decoder_layers": 2, "num_heads": 2, "d_kv": 16},
    # t5-small's layer shapes (60M parameters with its vocabulary): realistic CPU cost for benchmarks.
    "small": {"d_model": 512, "d_ff": 2048, "num_layers": 6, "num_decoder_layers": 6, "num_heads": 8, "d_kv": 64},
}


def train_sentencepiece(texts: Iterable[str], vocab_size: int = 400) -> bytes:
    """A unigram sentencepiece model with T5's special ids (pad 0, eos 1, unk 2)."""
    import sentencepiece as spm

    lines = [line for text in texts for line in text.splitlines() if line.strip()]
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        character_coverage=1.0,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    return model.getvalue()


def build_t5(
    directory: Path,
    texts: Iterable[str],
    *,
    shape: str = "tiny",
    vocab_size: int = 400,
    seed: int = 0,
) -> Path:
    """Save a random-weight T5 with a sentencepiece tokenizer to ``directory`` and return it."""
    import torch
    from transformers import T5Config, T5ForConditionalGeneration, T5Tokenizer

    directory.mkdir(parents=True, exist_ok=True)
    (directory / "spiece.model").write_bytes(train_sentencepiece(texts, vocab_size))
    # transformers 5 builds the tokenizer from spiece.model when loading a directory (needs protobuf).
    tokenizer = T5Tokenizer.from_pretrained(str(directory), extra_ids=0)
    tokenizer.save_pretrained(str(directory))
    values: dict[str, Any] = {
        "vocab_size": len(tokenizer),
        "decoder_start_token_id": tokenizer.pad_token_id,
        "pad_token_id": tokenizer.pad_token_id,
        "eos_token_id": tokenizer.eos_token_id,
        **T5_SHAPES[shape],
    }
    config = T5Config(**values)
    torch.manual_seed(seed)
    model = T5ForConditionalGeneration(config)
    # T5 ties its output layer to the embeddings, so a random model mostly predicts the token it was
    # just fed; starting from <pad>, it would emit nothing but <pad>. A zero <pad> row keeps it from
    # winning, and the (nonsense) output is then long, peaked and comparable across inference paths.
    with torch.no_grad():
        model.shared.weight[tokenizer.pad_token_id].zero_()
    model.save_pretrained(str(directory))
    return directory
