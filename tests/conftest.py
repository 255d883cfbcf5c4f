"""Shared fixtures: tiny seq2seq models built at test time, one loaded engine and API client per session.

No model hub is reachable from CI, so the seq2seq models are built here from a config (random weights,
a vocabulary trained on the seed texts) and then loaded from disk through the same ``from_pretrained``
path as real weights. The sentence embedder is the real all-MiniLM-L6-v2 the project ships.
"""

from __future__ import annotations

import os
import tempfile

# Before transformers / huggingface_hub are imported: a hub lookup would hang on an offline host.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Apps built with default settings keep their job queue out of the checkout (one scratch file per run).
os.environ.setdefault("NEWSFUSE_JOBS_DB", os.path.join(tempfile.mkdtemp(prefix="newsfuse-tests-"), "jobs.sqlite3"))

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from fastapi.testclient import TestClient
from helpers import seed_paths
from tokenizers import ByteLevelBPETokenizer
from transformers import BartConfig, BartForConditionalGeneration, BartTokenizer

from service.api.app import create_app
from service.engine import Engine
from service.models.random_init import build_t5
from service.settings import Settings

BART_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    """The raw seed files, keyed by file stem."""
    return {path.stem: path.read_text(encoding="utf-8") for path in seed_paths()}


@pytest.fixture(scope="session")
def tiny_t5_dir(tmp_path_factory: pytest.TempPathFactory, seed_texts: dict[str, str]) -> Path:
    """A random-weight T5 (d_model 32, 2 layers) with a 400-piece unigram sentencepiece vocabulary.

    ``build_t5`` trains the sentencepiece model on the seeds (pad 0, eos 1, unk 2), loads it with
    ``T5Tokenizer.from_pretrained(dir, extra_ids=0)``, saves tokenizer and model with ``torch.manual_seed(0)``.
    """
    return build_t5(tmp_path_factory.mktemp("tiny-t5"), seed_texts.values(), shape="tiny", vocab_size=400, seed=0)


@pytest.fixture(scope="session")
def tiny_bart_dir(tmp_path_factory: pytest.TempPathFactory, seed_texts: dict[str, str]) -> Path:
    """A random-weight BART with a byte-level BPE vocabulary trained on the seeds.

    ``BartTokenizer(vocab_file=..., merges_file=...)`` does not load the vocabulary in transformers 5;
    ``from_pretrained`` on a folder holding vocab.json and merges.txt does, and ``save_pretrained`` then
    writes the files ``AutoTokenizer.from_pretrained(dir)`` needs.
    """
    directory = tmp_path_factory.mktemp("tiny-bart")
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(list(seed_texts.values()), vocab_size=600, min_frequency=1, special_tokens=BART_SPECIALS)
    bpe.save_model(str(directory))
    tokenizer = BartTokenizer.from_pretrained(str(directory))
    assert len(tokenizer) == 600
    tokenizer.save_pretrained(str(directory))
    config = BartConfig(
        vocab_size=len(tokenizer),
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=400,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id,
        forced_eos_token_id=tokenizer.eos_token_id,
    )
    torch.manual_seed(0)
    BartForConditionalGeneration(config).save_pretrained(str(directory))
    return directory


@pytest.fixture(scope="session")
def engine(tiny_t5_dir: Path) -> Engine:
    """The real MiniLM embedder and the tiny T5 loaded through the service's own loader."""
    return Engine.load(Settings(model=str(tiny_t5_dir), num_beams=2))


@pytest.fixture(scope="session")
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine=engine)) as test_client:
        yield test_client


@pytest.fixture
def fallback_settings(tmp_path: Path) -> Settings:
    """Settings whose model directory does not exist: the service must fall back to extractive summaries."""
    return Settings(model=str(tmp_path / "no-such-model"), num_beams=2)
