"""The Markdown and HTML reports (`summarize --format markdown|html`): the web page's structure in a file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from helpers import SEEDS_DIR, seed_id, seed_paths

from service.api.convert import to_response
from service.api.schemas import ClusterOut, SummariesResponse
from service.engine import Engine
from service.pipeline.analyze import analyze
from service.pipeline.types import ArticleInput
from service.report import CONTESTED_NOTE, to_html, to_markdown
from service.settings import PROJECT_ROOT

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def all(self, tag: str, cls: str | None = None) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag and (cls is None or cls in (child.attrs.get("class") or "").split()):
                    found.append(child)
                found += child.all(tag, cls)
        return found

    def one(self, tag: str, cls: str | None = None) -> Node:
        (node,) = self.all(tag, cls)
        return node


class TreeBuilder(HTMLParser):
    """A strict little DOM: every non-void element must be closed, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.declarations: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.declarations.append(decl)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements: " + ", ".join(n.tag for n in builder.stack[1:])
    assert builder.declarations == ["doctype html"]
    return builder.root


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def seed_response(engine: Engine) -> SummariesResponse:
    inputs = [ArticleInput(id=p.stem, text=p.read_text(encoding="utf-8")) for p in seed_paths()]
    analysis = analyze(inputs, embedder=engine.embedder, summarizer=engine.summarizer, settings=engine.settings)
    return to_response(analysis, engine)


def blinken(response: SummariesResponse) -> ClusterOut:
    (cluster,) = [c for c in response.clusters if seed_id("000") in c.article_ids]
    return cluster


def story_node(document: Node, cluster_id: str) -> Node:
    (node,) = [n for n in document.all("article", "story") if n.attrs.get("id") == cluster_id]
    return node


def badge_texts(node: Node) -> list[str]:
    return [b.text for b in node.all("span", "source")]


def test_html_report_is_one_self_contained_file(seed_response: SummariesResponse) -> None:
    html = to_html(seed_response)
    document = parse(html)
    assert document.one("html").attrs["lang"] == "en"
    assert document.all("script") == [] and document.all("link") == [] and document.all("img") == []
    assert len(document.all("style")) == 1
    assert not re.search(r"https?://|@import|url\(", html)
    for node in document.all("a"):
        assert (node.attrs.get("href") or "").startswith("#")
    assert [n.attrs["id"] for n in document.all("article", "story")] == [c.id for c in seed_response.clusters]


def test_html_report_has_the_page_structure(seed_response: SummariesResponse) -> None:
    document = parse(to_html(seed_response))
    cluster = blinken(seed_response)
    story = story_node(document, cluster.id)
    assert [squash(h.text) for h in story.all("h3")] == [
        "Consensus",
        "Points the sources agree on",
        "Where they disagree",
    ]
    assert squash(story.one("p", "summary").text) == squash(cluster.consensus.summary)
    flags = [b.text for b in story.one("h2").all("span", "flag")]
    assert flags == (["extractive"] if cluster.consensus.mode == "extractive" else [])

    points = story.one("ol", "points").all("li", "point")
    assert len(points) == len(cluster.consensus.points)
    for node, point in zip(points, cluster.consensus.points, strict=True):
        assert squash(node.all("p")[0].text) == squash(point.text)
        sources = node.one("p", "sources")
        assert badge_texts(sources) == list(dict.fromkeys(s.source for s in point.support))
        flagged = [squash(p.text) for p in node.all("p", "contested")]
        assert flagged == ([f"{CONTESTED_NOTE} {', '.join(point.contested)}"] if point.contested else [])
        quotes = node.all("blockquote")
        assert [(q.attrs["data-article"], int(q.attrs["data-start"] or -1)) for q in quotes] == [
            (s.article_id, s.start) for s in point.support
        ]
        assert [squash(q.one("p").text) for q in quotes] == [f"“{squash(s.quote)}”" for s in point.support]

    tables = story.all("table", "disagreement")
    assert [squash(t.one("caption").one("span", "aspect").text) for t in tables] == [
        d.aspect for d in cluster.disagreements
    ]
    by_aspect = dict(zip([d.aspect for d in cluster.disagreements], tables, strict=True))
    day = by_aspect["day of the telephone conversation"]
    claims = [th.text for th in day.one("thead").all("th")]
    assert [th.attrs["scope"] for th in day.one("thead").all("th")] == ["col", "col"]
    assert sorted(c.split()[0] for c in claims) == ["Monday", "Tuesday"]
    quote_row, source_row = day.one("tbody").all("tr")
    assert [th.text for th in day.one("tbody").all("th")] == ["Quote", "Source"]
    assert all(th.attrs["scope"] == "row" for th in day.one("tbody").all("th"))
    by_day = {claim.split()[0]: badge_texts(td) for claim, td in zip(claims, source_row.all("td"), strict=True)}
    assert by_day == {"Monday": ["Xinhua"], "Tuesday": ["The Washington Times"]}
    assert "Monday" in quote_row.all("td")[claims.index(next(c for c in claims if c.startswith("Monday")))].text
    account = by_aspect["whether Russia gave its own account of the call"]
    assert sorted(b for td in account.one("tbody").all("tr")[1].all("td") for b in badge_texts(td)) == [
        "The Washington Times",
        "heraldglobe.com",
    ]


def synthetic() -> SummariesResponse:
    """A single-source, extractive story with a duplicate and text that must be escaped."""
    quote = 'He said <script>alert("x")</script> | "a & b"'
    body: dict[str, Any] = {
        "clusters": [
            {
                "id": "c1",
                "article_ids": ["a", "b"],
                "duplicates": [{"kept": "a", "copies": ["b"], "similarity": {"b": 0.97}}],
                "independent_sources": 1,
                "consensus": {
                    "summary": "Officials <b>met</b>.",
                    "headline": None,
                    "mode": "extractive",
                    "single_source": True,
                    "points": [
                        {
                            "text": "Officials met.",
                            "support": [{"article_id": "a", "source": "Wire", "quote": quote, "start": 4, "end": 49}],
                            "independent_sources": 1,
                            "score": 1.0,
                        }
                    ],
                    "sentences": [],
                    "points_used_for_summary": 1,
                    "removed_sentences": [],
                    "condensed": None,
                    "notes": ["1 point left out"],
                },
                "disagreements": [
                    {
                        "aspect": "number of <people>",
                        "kind": "number",
                        "confidence": 0.5,
                        "positions": [
                            {"claim": "3 | three", "support": [_s(quote)]},
                            {"claim": "4", "support": [{**_s("Four\nmet."), "article_id": "b", "source": "Copy"}]},
                        ],
                    }
                ],
            }
        ],
        "articles": [
            {
                "id": "a",
                "source": "Wire",
                "title": "Meeting",
                "url": None,
                "published_at": "2024-05-01",
                "chars": 60,
                "removed_boilerplate": [],
            },
            {
                "id": "b",
                "source": "Copy",
                "title": None,
                "url": None,
                "published_at": None,
                "chars": 60,
                "removed_boilerplate": [],
            },
        ],
        "model": {"name": "extractive-fallback", "mode": "extractive", "embedding": "all-MiniLM-L6-v2"},
        "timings_ms": {},
    }
    return SummariesResponse.model_validate(body)


def _s(quote: str) -> dict[str, Any]:
    return {"article_id": "a", "source": "Wire", "quote": quote, "start": 0, "end": len(quote)}


def test_html_report_escapes_text_and_flags_single_source_and_duplicates() -> None:
    html = to_html(synthetic())
    document = parse(html)
    assert document.all("script") == [] and document.all("b") == []
    story = story_node(document, "c1")
    assert [b.text for b in story.one("h2").all("span", "flag")] == ["extractive", "single source"]
    assert story.one("h2").text.startswith("Meeting ")
    assert "Only one independent source" in story.one("p", "note").text
    assert story.one("p", "summary").text == "Officials <b>met</b>."
    assert 'He said <script>alert("x")</script> | "a & b"' in story.one("ol", "points").one("blockquote").text
    assert [squash(h.text) for h in story.all("h3")][1] == "Points (one source)"
    also = story.one("span", "also-carried")
    assert "also carried by" in also.text and badge_texts(also) == ["Copy"]
    table = story.one("table", "disagreement")
    assert table.one("span", "aspect").text == "number of <people>"
    assert [th.text for th in table.one("thead").all("th")] == ["3 | three", "4"]
    assert story.one("ul", "notes").text == "1 point left out"


def test_markdown_report_has_the_page_structure(seed_response: SummariesResponse) -> None:
    report = to_markdown(seed_response)
    assert report.startswith("# What the sources agree on, and where they disagree\n")
    cluster = blinken(seed_response)
    assert report.count("### Consensus") == report.count("### Disagreements") == len(seed_response.clusters)
    section = report.split("\n## ")[1 + seed_response.clusters.index(cluster)]
    assert squash(cluster.consensus.summary) in squash(section)
    assert "#### Points the sources agree on" in section
    # Each point lists its independent sources: the call's point, the two reports that state it.
    assert "- 2 independent sources: **Xinhua**, **The Washington Times**" in section
    day = section.split("#### day of the telephone conversation (date, confidence ")[1].split("\n\n")[1]
    header, rule, quotes, sources = day.splitlines()
    assert re.fullmatch(r"\| \| Monday [^|]+ \| Tuesday [^|]+ \|", header)
    assert rule == "|---|---|---|"
    assert quotes.startswith("| **Quote** | “") and quotes.count(" | ") == 2
    assert sources == "| **Source** | Xinhua | The Washington Times |"
    assert "#### whether Russia gave its own account of the call (attribution, confidence " in section
    points = section.split("#### Points the sources agree on")[1].split("### Disagreements")[0]
    items = re.split(r"\n(?=\d+\. )", points.strip())
    assert len(items) == len(cluster.consensus.points)
    for item, point in zip(items, cluster.consensus.points, strict=True):
        flag = f"\n   - **{CONTESTED_NOTE}** {', '.join(point.contested)}\n"
        assert (flag in item) == bool(point.contested), item
    assert any("day of the telephone conversation" in p.contested for p in cluster.consensus.points)


def test_markdown_report_keeps_table_rows_intact_and_flags_the_story() -> None:
    report = to_markdown(synthetic())
    assert "## Meeting `EXTRACTIVE` `SINGLE SOURCE`" in report
    assert "**Single source:**" in report and "#### Points (one source)" in report
    assert "- **Wire** — Meeting (`a`, 2024-05-01) — also carried by **Copy** (`b`)" in report
    rows = [line for line in report.splitlines() if line.startswith("| ")]
    assert len(rows) == 3
    for row in rows:
        assert len(re.split(r"(?<!\\)\|", row)) == 2 + 3, row
    assert "3 \\| three" in rows[0] and "Four met." in rows[1]


@pytest.fixture(scope="module")
def cli_env(tiny_t5_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFUSE_")}
    env.update({"HF_HUB_OFFLINE": "1", "NEWSFUSE_MODEL": str(tiny_t5_dir), "NEWSFUSE_NUM_BEAMS": "2"})
    return env


def run_cli(env: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service", *map(str, args)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_writes_the_html_report_with_a_progress_bar_when_asked(cli_env: dict[str, str]) -> None:
    files = [SEEDS_DIR / f"{seed_id(n)}.txt" for n in ("000", "002", "003")]
    result = run_cli(cli_env, "summarize", "--format", "html", "--progress", *files)
    assert result.returncode == 0, result.stderr
    document = parse(result.stdout)
    tables = document.all("table", "disagreement")
    assert "day of the telephone conversation" in [t.one("span", "aspect").text for t in tables]
    bar = result.stderr.replace("\r", "\n")
    assert re.search(r"^done\s+100%\|█+\|", bar, re.MULTILINE), bar[-2000:]


def test_cli_draws_no_progress_bar_for_a_few_files_without_a_terminal(cli_env: dict[str, str]) -> None:
    files = [SEEDS_DIR / f"{seed_id(n)}.txt" for n in ("000", "003")]
    result = run_cli(cli_env, "summarize", "--format", "markdown", *files)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# What the sources agree on")
    bar = result.stderr.replace("\r", "\n")
    assert not re.search(r"^(done|reading|analysing)\s", bar, re.MULTILINE), bar[-2000:]
