from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from service.pipeline.ingest import copyright_owner, find_dates, parse_header

SEEDS = Path(__file__).parent.parent / "seeds"


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("prefix", "title", "published_at", "source", "url"),
    [
        (
            "000",
            "The US and Russian foreign ministers discussed the situation in Ukraine and other issues by phone",
            date(2022, 2, 1),
            "Xinhua",
            None,
        ),
        (
            "001",
            "Blinken: There has been no significant progress in US-Russian talks on the Ukraine crisis",
            None,
            None,
            None,
        ),
        (
            "002",
            "Russia  US commit to further talks on security guarantees",
            date(2022, 2, 2),
            "heraldglobe.com",
            "https://www.heraldglobe.com/news/272259361/russia--us-commit-to-further-talks-on-security-guarantees",
        ),
        # The first line is an outlet/date stamp and the next is the lede, so there is no headline.
        ("003", None, date(2022, 2, 1), "The Washington Times", None),
        (
            "004",
            "US open for security talks with Russia, de-escalation needed, Blinken says",
            date(2022, 3, 3),
            "TASS",
            None,
        ),
    ],
)
def test_seed_headers(
    prefix: str, title: str | None, published_at: date | None, source: str | None, url: str | None
) -> None:
    header = parse_header(seed(prefix))
    assert header.title == title
    assert header.published_at == published_at
    assert header.source == source
    assert header.url == url


@pytest.mark.parametrize(
    ("prefix", "body_opening"),
    [
        ("000", "Washington, February 1 (Xinhua) —"),
        ("001", "The United States and Russia did not make significant progress"),
        ("002", "Washington is willing to continue diplomatic discussions"),
        ("003", "Secretary of State Antony Blinken and Russian counterpart"),
        ("004", "US Secretary of State was asked about the prospects"),
    ],
)
def test_body_starts_after_headline_and_metadata(prefix: str, body_opening: str) -> None:
    raw = seed(prefix)
    header = parse_header(raw)
    assert raw[header.body_start :].startswith(body_opening)


def test_crawl_stamp_loses_to_dateline_month_and_day() -> None:
    # Seed 000: "2022-06-12 0 By" is a later crawl stamp; the dateline says February 1.
    assert parse_header(seed("000")).published_at == date(2022, 2, 1)


def test_dateline_after_stamp_belongs_to_previous_year() -> None:
    raw = "Talks end without a deal\n2022-01-03\n\nMOSCOW, December 31 (Interfax) — The talks ended.\n"
    header = parse_header(raw)
    assert header.published_at == date(2021, 12, 31)
    assert header.source == "Interfax"


def test_dateline_one_day_after_stamp_is_a_time_zone_shift() -> None:
    raw = "Headline of the day\n2 Mar 2022, 23:50\n\nTOKYO, March 3 (Kyodo) — Ministers met.\n"
    assert parse_header(raw).published_at == date(2022, 3, 3)


def test_dateline_without_year_and_no_other_date_gives_no_date() -> None:
    raw = "Ministers meet in Paris\n\nParis, June 5 (AFP) — Ministers met on Monday.\n"
    header = parse_header(raw)
    assert header.published_at is None
    assert header.source == "AFP"


def test_ap_style_dateline_without_date() -> None:
    raw = "Senate passes spending bill\n\nWASHINGTON (AP) — The Senate passed the bill on Friday.\n"
    header = parse_header(raw)
    assert header.title == "Senate passes spending bill"
    assert header.source == "AP"
    assert header.published_at is None
    assert raw[header.body_start :].startswith("WASHINGTON (AP)")


def test_dateline_with_year_and_reuters_copyright() -> None:
    raw = (
        "Oil prices climb on supply worries\n\n"
        "LONDON, Nov. 14, 2023 (Reuters) - Oil prices rose on Tuesday as traders weighed supply risks.\n\n"
        "© 2023 Reuters. All rights reserved.\n"
    )
    header = parse_header(raw)
    assert header.published_at == date(2023, 11, 14)
    assert header.source == "Reuters"


def test_named_outlet_beats_domain_and_nav_lines_are_skipped() -> None:
    raw = (
        "Home\nWorld news\n"
        "- The Example Herald - 12 June 2021\n"
        "https://www.example-herald.co.uk/world/story-123\n"
        "Leaders agree to cut emissions faster\n"
        "By Jane Doe\n\n"
        "Leaders agreed on Saturday to cut emissions faster than planned.\n"
    )
    header = parse_header(raw)
    assert header.title == "Leaders agree to cut emissions faster"
    assert header.source == "The Example Herald"
    assert header.url == "https://www.example-herald.co.uk/world/story-123"
    assert header.published_at == date(2021, 6, 12)
    assert raw[header.body_start :].startswith("Leaders agreed on Saturday")


def test_first_sentence_like_dateline_is_not_a_dateline() -> None:
    raw = "A quiet day\n\nLavrov, March 3 was a quiet day in Moscow for the minister.\n"
    header = parse_header(raw)
    assert header.published_at is None
    assert header.source is None


def test_empty_input() -> None:
    header = parse_header("")
    assert (header.title, header.published_at, header.source, header.url) == (None, None, None, None)
    assert header.body_start == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-06-12 0 By", date(2022, 6, 12)),
        ("20220202", date(2022, 2, 2)),
        ("Tuesday, February 1, 2022", date(2022, 2, 1)),
        ("3 Mar 2022, 00:36", date(2022, 3, 3)),
        ("Updated Sept. 9th, 2021 at 10:00 GMT", date(2021, 9, 9)),
        ("published 2021-02-30", None),
        ("call 555-0100 or 20221399", None),
        ("on 02/03/2022", None),
    ],
)
def test_find_dates(text: str, expected: date | None) -> None:
    found = find_dates(text)
    assert (found[0].value if found else None) == expected


@pytest.mark.parametrize(
    ("line", "owner"),
    [
        (
            "Copyright © 2024 The Washington Times, LLC. Click here for reprint permission.",
            "The Washington Times",
        ),
        ("© 2023 Reuters", "Reuters"),
        ("Copyright 2023 The Associated Press. All rights reserved.", "The Associated Press"),
        ("(c) 2020-2023 Example Media Group Ltd", "Example Media Group"),
        ("Copyright lawsuits rose sharply last year.", None),
    ],
)
def test_copyright_owner(line: str, owner: str | None) -> None:
    assert copyright_owner(line) == owner


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # A stamp under a subtitle, with the spaces a tokeniser left around its separators.
        (
            "Red team bids for the slugger\nA second line of teaser text\n12 / 16 / 08 1:30 AM EST\nBody.",
            date(2008, 12, 16),
        ),
        ("Turnout rises in the vote\n26 September 2013, 10:00 (GMT+05:00)\nVoters went.", date(2013, 9, 26)),
        ("Fire destroys the old dairy\nAugust 8, 2012-4:43 pm\nThe fire started early.", date(2012, 8, 8)),
        ("Archive story\nStory Created: Aug 7, 2012 at 9:56 AM AKDT\nIt burned.", date(2012, 8, 7)),
        ("Headline here\n12:52 p. m. EDT May 2, 2013\nShe checked in today.", date(2013, 5, 2)),
        # Day and month could be swapped (US or European order): not read.
        ("Headline here\nPOSTED: 05 / 02 / 07, 9:00 PM PDT\nA judge ruled.", None),
        # A date inside a story sentence is not a stamp.
        ("Headline here\nThe election is on May 3, 2012 in Paris, officials said on Monday.", None),
    ],
)
def test_stamp_lines_date_the_article(raw: str, expected: date | None) -> None:
    assert parse_header(raw).published_at == expected


def test_a_headline_is_kept_as_the_article_when_nothing_else_is_left() -> None:
    from service.pipeline.clean import clean_article
    from service.pipeline.types import ArticleInput

    article = clean_article(ArticleInput(id="a", text="June 06, 2013\nSwimming star dies at 91"))
    assert article.text == "Swimming star dies at 91"
    assert article.published_at == date(2013, 6, 6)


def test_a_first_line_is_story_text_when_the_client_gave_another_title() -> None:
    from service.pipeline.clean import clean_article
    from service.pipeline.types import ArticleInput

    text = "Officials say the toll has risen to 40 as rescuers reach the valley\nMore rain is expected."
    article = clean_article(ArticleInput(id="a", text=text, title="Floods in the valley"))
    assert article.text.startswith("Officials say the toll")
    assert article.title == "Floods in the valley"
    repeated = clean_article(ArticleInput(id="b", text="Floods in the valley\n" + text, title="Floods in the valley"))
    assert repeated.text.startswith("Officials say the toll")
