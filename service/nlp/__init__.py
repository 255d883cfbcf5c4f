"""Linguistic building blocks the pipeline stages are made of: names, words, numbers, dates, sentences.

Each module answers one kind of question about text ("which names does this lead mention?", "how rare is
this word in English?"), so that a stage in ``service.pipeline`` reads as the steps of one decision.
"""
