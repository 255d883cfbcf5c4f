"""Where models run: NEWSFUSE_DEVICE / NEWSFUSE_DTYPE resolved, and the batch sizes each device gets."""

from __future__ import annotations

import pytest
import torch

from service.models.devices import (
    batch_size_for,
    ct2_compute_type,
    ct2_device,
    embedder_placement,
    resolve_device,
    seq2seq_placement,
)


def test_cpu_is_the_default_without_cuda() -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert resolve_device("auto") == "cpu"
    assert seq2seq_placement("auto", "auto").describe() == {"device": "cpu", "dtype": "float32"}


def test_explicit_dtypes_are_kept() -> None:
    assert seq2seq_placement("cpu", "bfloat16").describe() == {"device": "cpu", "dtype": "bfloat16"}
    assert seq2seq_placement("cpu", "bfloat16").autocast
    assert embedder_placement("cpu", "float32").describe() == {"device": "cpu", "dtype": "float32"}
    assert not embedder_placement("cpu", "float32").autocast


def test_unknown_devices_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown device"):
        resolve_device("tpu")


def test_batch_sizes_per_device_unless_set() -> None:
    assert batch_size_for(None, "summarizer", "cpu") == 8
    assert batch_size_for(None, "summarizer", "cuda:0") == 64
    assert batch_size_for(None, "embedder", "cpu") == 64
    assert batch_size_for(None, "embedder", "cuda:1") == 256
    assert batch_size_for(5, "embedder", "cuda:0") == 5


def test_ctranslate2_device_and_compute_type() -> None:
    assert ct2_device("cpu") == ("cpu", 0)
    assert ct2_device("cuda:2") == ("cuda", 2)
    assert ct2_compute_type(None, "cpu") == "int8"
    assert ct2_compute_type(None, "cuda:0") == "int8_bfloat16"
    assert ct2_compute_type("float16", "cuda:0") == "float16"
