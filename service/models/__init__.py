"""Swappable model backends: a summarizer (seq2seq or extractive) and a sentence embedder."""
