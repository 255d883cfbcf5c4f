"""Verbs of one action, from WordNet's commonest senses (service/nlp/synonyms.py)."""

from __future__ import annotations

from service.nlp.synonyms import same_action


def test_verbs_sharing_a_common_sense_are_one_action() -> None:
    assert same_action("wound", "injure")
    assert same_action("wed", "marry")
    assert same_action("die", "perish")
    assert same_action("kill", "kill")


def test_different_actions_and_rare_shared_senses_are_not_one() -> None:
    assert not same_action("kill", "wound")
    assert not same_action("kill", "die")
    assert not same_action("seize", "recover")
    # "take" and "get" share only a rare sense: common verbs would all be one action if rare senses counted.
    assert not same_action("take", "get")
    assert not same_action("", "wound")
