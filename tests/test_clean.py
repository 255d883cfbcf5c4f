from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from service.pipeline import clean as clean_module
from service.pipeline.clean import EmptyArticleError, clean_article, clean_html, clean_text, is_boilerplate
from service.pipeline.types import ArticleInput, CleanedText

SEEDS = Path(__file__).parent.parent / "seeds"
SEED_PATHS = sorted(SEEDS.glob("*.txt"))


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def assert_segments_verbatim(cleaned: CleanedText, raw: str) -> None:
    covered = 0
    for s in cleaned.segments:
        assert cleaned.text[s.clean_start : s.clean_start + s.length] == raw[s.raw_start : s.raw_start + s.length]
        covered += s.length
    # Every character of the cleaned text is either a mapped segment or a paragraph separator.
    assert covered + 2 * max(0, len(cleaned.segments) - 1) == len(cleaned.text)


def test_seeds_exist() -> None:
    assert len(SEED_PATHS) == 5


@pytest.mark.parametrize("path", SEED_PATHS, ids=lambda p: p.name[:3])
def test_segment_invariant_on_seeds(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    article = clean_article(ArticleInput(id=path.stem, text=raw))
    assert article.raw == raw
    assert_segments_verbatim(article.cleaned, raw)
    assert_segments_verbatim(clean_text(raw), raw)


@pytest.mark.parametrize("path", SEED_PATHS, ids=lambda p: p.name[:3])
def test_to_raw_maps_a_sentence_back(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    cleaned = clean_article(ArticleInput(id=path.stem, text=raw)).cleaned
    last = cleaned.segments[-1]
    span = cleaned.to_raw(last.clean_start, last.clean_start + last.length)
    assert span is not None
    assert raw[span[0] : span[1]] == cleaned.text[last.clean_start :]


@pytest.mark.parametrize(
    ("prefix", "boilerplate"),
    [
        ("000", ["Edit: Hao Chen Tang", "2022-06-12 0 By"]),
        ("001", ["Related Articles", "Back to top button"]),
        (
            "003",
            [
                "David R. Sands can be reached",
                "dsands@washingtontimes.com",
                "Copyright ©",
                "reprint permission",
                "Please read our comment policy",
                "Click to Read More and View Comments",
                "Click to Hide",
                "- The Washington Times -",
            ],
        ),
        ("004", ["All news", "00:36"]),
        ("002", ["20220202", "https://www.heraldglobe.com"]),
    ],
)
def test_boilerplate_removed_from_seeds(prefix: str, boilerplate: list[str]) -> None:
    text = clean_article(ArticleInput(id=prefix, text=seed(prefix))).text
    for piece in boilerplate:
        assert piece not in text


@pytest.mark.parametrize(
    ("prefix", "sentences"),
    [
        (
            "000",
            [
                "Washington, February 1 (Xinhua) —",
                "discussing the situation in Ukraine.",
                "Russia denies the claim.",
                "but no substantive results were achieved.",
            ],
        ),
        (
            "001",
            [
                "Tensions have risen as Russia deploys about 100,000 troops",
                "have been made more than once.",
            ],
        ),
        (
            "002",
            [
                "Continued engagement from both sides will allow room for serious discussion",
                "which is currently being considered by the Russian government.",
            ],
        ),
        (
            "003",
            [
                "held a direct phone conversation Tuesday",
                "U.S. and Russian ambassadors exchanged sharp words at Monday’s showdown",
                "was the main trigger for the crisis.",
            ],
        ),
        (
            "004",
            [
                "US Secretary of State was asked about the prospects of diplomacy",
                "WASHINGTON, March 3. /TASS/. The United States is open to hold talks",
                "was being destroyed by precision weapons.",
            ],
        ),
    ],
)
def test_story_sentences_kept(prefix: str, sentences: list[str]) -> None:
    text = clean_article(ArticleInput(id=prefix, text=seed(prefix))).text
    for sentence in sentences:
        assert sentence in text


@pytest.mark.parametrize("path", SEED_PATHS, ids=lambda p: p.name[:3])
def test_every_story_line_survives(path: Path) -> None:
    # Every long line of the body is story text; each of its sentences must survive verbatim
    # (the only allowed loss is a glued-on credit such as "Edit: Hao Chen Tang").
    raw = path.read_text(encoding="utf-8")
    article = clean_article(ArticleInput(id=path.stem, text=raw))
    for line in raw[raw.index(article.text[:40]) :].splitlines():
        if len(line.split()) > 30:
            body = line.split("Edit: ")[0]
            squeezed = article.text.replace("\n\n", "")
            assert body.strip() in squeezed


def test_glued_editor_credit_cut_but_sentence_kept() -> None:
    cleaned = clean_text(seed("000"))
    assert "no substantive results were achieved." in cleaned.text
    assert "Edit: Hao Chen Tang" in cleaned.removed
    assert "Hao Chen" not in cleaned.text


def test_glued_sentences_become_paragraphs_without_splitting_abbreviations() -> None:
    cleaned = clean_text("He met Mr. Smith in the U.S. capital.Officials said the talks went well.")
    assert cleaned.text == "He met Mr. Smith in the U.S. capital.\n\nOfficials said the talks went well."
    assert_segments_verbatim(cleaned, "He met Mr. Smith in the U.S. capital.Officials said the talks went well.")


def test_removed_pieces_listed_in_order() -> None:
    raw = seed("003")
    removed = clean_text(raw).removed
    assert removed[0] == "- The Washington Times - Tuesday, February 1, 2022"
    assert removed[-3:] == (
        "Please read our comment policy before commenting.",
        "Click to Read More and View Comments",
        "Click to Hide",
    )


def test_client_fields_win_over_detected() -> None:
    article = clean_article(
        ArticleInput(
            id="a1",
            text=seed("000"),
            source="Client Wire",
            title="Client headline",
            url="https://client.example/a1",
            published_at=date(2020, 1, 1),
        )
    )
    assert (article.source, article.title, article.url, article.published_at) == (
        "Client Wire",
        "Client headline",
        "https://client.example/a1",
        date(2020, 1, 1),
    )


def test_detected_fields_fill_gaps() -> None:
    article = clean_article(ArticleInput(id="a3", text=seed("003")))
    assert article.source == "The Washington Times"
    assert article.published_at == date(2022, 2, 1)
    assert article.title is None
    assert article.source_label == "The Washington Times"
    unknown = clean_article(ArticleInput(id="a1", text=seed("001")))
    assert unknown.source is None and unknown.published_at is None
    assert unknown.source_label == "unknown source (a1)"


UNSEEN_OUTLET = """Senate passes stopgap spending bill
Share this article
WASHINGTON (AP) — The Senate passed a stopgap spending bill on Saturday, averting a government shutdown.
Lawmakers from both parties said the measure
was only a temporary fix.
Follow us on Twitter
Sign up for our newsletter
Advertisement
Share prices rose on Monday after the vote, traders said.
(Reporting by Jane Doe; Editing by John Roe)
Jane Doe can be reached at jdoe@example.com.
© 2023 Reuters
"""


def test_unseen_outlet_boilerplate_rules_are_general() -> None:
    article = clean_article(ArticleInput(id="ap", text=UNSEEN_OUTLET))
    assert article.title == "Senate passes stopgap spending bill"
    assert article.text == (
        "WASHINGTON (AP) — The Senate passed a stopgap spending bill on Saturday, "
        "averting a government shutdown."
        "\n\nLawmakers from both parties said the measure\nwas only a temporary fix."
        "\n\nShare prices rose on Monday after the vote, traders said."
    )
    assert article.cleaned.removed == (
        "Follow us on Twitter",
        "Sign up for our newsletter",
        "Advertisement",
        "(Reporting by Jane Doe; Editing by John Roe)",
        "Jane Doe can be reached at jdoe@example.com.",
        "© 2023 Reuters",
    )
    # The outlet that ran the copy (copyright line) is named over the wire agency in the dateline.
    assert article.source == "Reuters"
    assert_segments_verbatim(article.cleaned, UNSEEN_OUTLET)


def test_trailing_credit_after_space_is_cut() -> None:
    cleaned = clean_text("The talks ended without agreement. Editing by: Maria Lopez")
    assert cleaned.text == "The talks ended without agreement."
    assert cleaned.removed == ("Editing by: Maria Lopez",)


@pytest.mark.parametrize(
    "line",
    [
        "Sign up to read this and our daily briefing",
        "Share on Facebook, Twitter",
        "Tags: Russia, Ukraine, NATO",
        "Story continues below advertisement",
        "This article was first published by Example News.",
        "All rights reserved.",
        "World",
    ],
)
def test_is_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "Share prices fell 3% on the news, the exchange said.",
        "Copyright lawsuits against AI firms rose sharply last year, lawyers said.",
        "He entered the building without permission, police said.",
        "Russia denies the claim.",
        "Lavrov said:",
        "Reporting on the war has become dangerous, the editor said.",
    ],
)
def test_story_lines_are_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


ARTICLE_HTML = """<!doctype html>
<html><head><title>Talks resume in Geneva | Example Daily</title>
<meta property="og:site_name" content="Example Daily">
<meta property="og:title" content="Talks resume in Geneva">
<meta property="article:published_time" content="2023-05-04T10:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Talks resume in Geneva</h1>
<p>GENEVA (AP) — Diplomats from both countries met again on Thursday to discuss arms control,
officials said after the session ended.</p>
<p>The two delegations agreed to meet next month, according to a joint statement released in the evening.</p>
<p>Neither side gave details of the proposals on the table, but both described the talks as useful.</p>
<p>Share this article</p>
<p>© 2023 Example Daily. All rights reserved.</p>
</article><footer>Sign up for our newsletter</footer></body></html>"""


def test_clean_html_extracts_and_cleans() -> None:
    cleaned = clean_html(ARTICLE_HTML)
    assert "Diplomats from both countries met again on Thursday" in cleaned.text
    assert "both described the talks as useful." in cleaned.text
    for junk in ("Share this article", "All rights reserved", "Sign up", "Home"):
        assert junk not in cleaned.text
    assert "<p>" not in cleaned.text


def test_clean_article_html_uses_page_metadata() -> None:
    article = clean_article(ArticleInput(id="h1", html=ARTICLE_HTML))
    assert article.title == "Talks resume in Geneva"
    assert article.source == "Example Daily"
    assert article.published_at == date(2023, 5, 4)
    assert article.text.startswith("GENEVA (AP) — Diplomats")  # the repeated <h1> is not body text
    assert_segments_verbatim(article.cleaned, article.raw)
    assert "Diplomats from both countries" in article.raw


def test_clean_html_falls_back_to_tag_stripping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clean_module.trafilatura, "extract", lambda *args, **kwargs: None)
    html = (
        "<html><head><style>p {color: red}</style></head><body><div>Home</div>"
        "<p>Officials met in <b>Geneva</b> on Thursday.</p><script>var x = 1;</script>"
        "<p>Share this article</p></body></html>"
    )
    cleaned = clean_html(html)
    assert cleaned.text == "Officials met in Geneva on Thursday."
    assert "color" not in cleaned.text and "var x" not in cleaned.text


def test_all_boilerplate_raises_empty_article_error() -> None:
    raw = "Related Articles\n\nShare this article\n\n© 2023 Reuters\n\nBack to top button\n"
    with pytest.raises(EmptyArticleError) as excinfo:
        clean_article(ArticleInput(id="empty-1", text=raw))
    assert excinfo.value.article_id == "empty-1"
    assert isinstance(excinfo.value, ValueError)


def test_empty_html_raises_empty_article_error() -> None:
    with pytest.raises(EmptyArticleError):
        clean_article(ArticleInput(id="empty-2", html="<html><body><p>Share this article</p></body></html>"))
