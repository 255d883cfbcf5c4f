"""Dates read from text: only a month name written as a word is a month."""

from __future__ import annotations

from datetime import date

from service.nlp.temporal import date_mentions


def test_a_month_abbreviation_inside_a_word_is_no_date() -> None:
    published = date(2008, 12, 14)
    # "15 mark" is not "15 Mar", "Omar 15" not "Mar 15", "12 decks" not "12 Dec".
    assert date_mentions("The referee stopped it at the 2:15 mark of the round.", published) == []
    assert date_mentions("Omar 15 and his brother were held.", published) == []
    assert date_mentions("The ship has 12 decks and a helipad.", published) == []
    # The abbreviations themselves still are dates.
    [mar] = date_mentions("The bill passed on 15 Mar. after a long debate.", published)
    assert mar.resolved == date(2008, 3, 15)
    [dec] = date_mentions("The fire broke out on Dec. 6 in the old town.", published)
    assert dec.resolved == date(2008, 12, 6)
