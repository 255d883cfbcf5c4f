"""Readable reports of a summaries response: Markdown and a self-contained HTML file.

Both follow the web page's structure: per story, the consensus summary (with "extractive" and "single
source" flags), the points with the sources that support them and their verbatim quotes, and each
disagreement as a side-by-side table (one column per position: claim, quotes, sources).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from service.api.schemas import ArticleMetaOut, ClusterOut, DisagreementOut, SummariesResponse, SupportOut

TITLE = "What the sources agree on, and where they disagree"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


class _Names:
    """Source names, titles and duplicate copies looked up by article id."""

    def __init__(self, response: SummariesResponse) -> None:
        self.articles: dict[str, ArticleMetaOut] = {a.id: a for a in response.articles}
        self.copies: dict[str, list[str]] = {d.kept: d.copies for c in response.clusters for d in c.duplicates}

    def source(self, article_id: str) -> str:
        # The same label the API gives an article of unknown outlet in its quotes (CleanArticle.source_label).
        meta = self.articles.get(article_id)
        return (meta.source if meta else None) or f"unknown source ({article_id})"

    def title(self, cluster: ClusterOut) -> str:
        if cluster.consensus.headline:
            return cluster.consensus.headline
        for article_id in cluster.article_ids:
            meta = self.articles.get(article_id)
            if meta and meta.title:
                return meta.title
        return f"Story {cluster.id}"

    def kept(self, cluster: ClusterOut) -> list[str]:
        """The cluster's articles without the duplicate copies (those are listed with what they copy)."""
        copies = {c for d in cluster.duplicates for c in d.copies}
        return [i for i in cluster.article_ids if i not in copies]


def _flags(cluster: ClusterOut) -> list[str]:
    flags = []
    if cluster.consensus.mode == "extractive":
        flags.append("extractive")
    if cluster.consensus.single_source:
        flags.append("single source")
    return flags


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _stats(cluster: ClusterOut) -> str:
    return (
        f"Story {cluster.id}: {_plural(len(cluster.article_ids), 'article')}, "
        f"{_plural(cluster.independent_sources, 'independent source')}."
    )


SINGLE_SOURCE_NOTE = "Only one independent source reports this story: nothing here is confirmed by another."
CONTESTED_NOTE = "Sources differ on a detail of this wording (see the disagreements):"
EXTRACTIVE_NOTE = "No summarization model is loaded: summaries are composed from the consensus points (extractive)."
SKIPPED_NOTE = "Articles left out of the analysis (nothing else was lost):"


# ---------- Markdown ----------


def _md_cell(text: str) -> str:
    """Text that cannot break a Markdown table row."""
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


def _md_quote(s: SupportOut, names: _Names) -> str:
    return f"“{_md_cell(s.quote)}” — *{names.source(s.article_id)}* (`{s.article_id}`)"


def _md_disagreement(dis: DisagreementOut, names: _Names) -> list[str]:
    changed = ", changed between reports of different days" if dis.evolving else ""
    lines = [f"#### {dis.aspect} ({dis.kind}{changed}, confidence {dis.confidence:.2f})", ""]
    if dis.description:
        lines += [dis.description, ""]
    lines.append("| | " + " | ".join(_md_cell(p.claim) for p in dis.positions) + " |")
    lines.append("|---|" + "---|" * len(dis.positions))
    quotes = ["<br>".join(_md_quote(s, names) for s in p.support) for p in dis.positions]
    lines.append("| **Quote** | " + " | ".join(quotes) + " |")
    sources = [", ".join(_unique(_md_cell(names.source(s.article_id)) for s in p.support)) for p in dis.positions]
    lines.append("| **Source** | " + " | ".join(sources) + " |")
    return [*lines, ""]


def to_markdown(response: SummariesResponse) -> str:
    names = _Names(response)
    model = response.model
    lines = [f"# {TITLE}", ""]
    lines += [f"Summaries by **{model.name}** ({model.mode}); claims aligned with {model.embedding}.", ""]
    if model.mode == "extractive":
        lines += [f"> {EXTRACTIVE_NOTE}", ""]
    if response.skipped:
        lines += [f"> **{SKIPPED_NOTE}**", ""]
        lines += [f"> - `{s.article_id}`: {s.reason}" for s in response.skipped]
        lines.append("")
    for cluster in response.clusters:
        consensus = cluster.consensus
        flags = "".join(f" `{flag.upper()}`" for flag in _flags(cluster))
        lines += [f"## {names.title(cluster)}{flags}", "", _stats(cluster), ""]
        for article_id in names.kept(cluster):
            meta = names.articles.get(article_id)
            line = (
                f"- **{names.source(article_id)}** — {(meta.title if meta else None) or '_(no title)_'} (`{article_id}`"
            )
            line += f", {meta.published_at})" if meta and meta.published_at else ")"
            copies = names.copies.get(article_id)
            if copies:
                line += " — also carried by " + ", ".join(f"**{names.source(c)}** (`{c}`)" for c in copies)
            lines.append(line)
        lines.append("")
        lines += ["### Consensus", ""]
        if consensus.single_source:
            lines += [f"**Single source:** {SINGLE_SOURCE_NOTE}", ""]
        lines += [consensus.summary or "_(no summary)_", ""]
        lines += [f"- _Note: {note}_" for note in consensus.notes]
        heading = "Points (one source)" if consensus.single_source else "Points the sources agree on"
        lines += ["", f"#### {heading}", ""]
        for number, point in enumerate(consensus.points, start=1):
            sources = ", ".join(f"**{s}**" for s in _unique(names.source(s.article_id) for s in point.support))
            lines.append(f"{number}. {point.text}")
            lines.append(f"   - {_plural(point.independent_sources, 'independent source')}: {sources}")
            if point.contested:
                lines.append(f"   - **{CONTESTED_NOTE}** {', '.join(point.contested)}")
            lines += [f"   - {_md_quote(s, names)}" for s in point.support]
        if not consensus.points:
            lines.append("No points.")
        lines += ["", "### Disagreements", ""]
        if not cluster.disagreements:
            lines += ["None found.", ""]
        for dis in cluster.disagreements:
            lines += _md_disagreement(dis, names)
    return "\n".join(lines).rstrip() + "\n"


# ---------- HTML ----------

HTML_CSS = """
:root { color: #1b1f24; background: #fff; line-height: 1.5;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
body { margin: 0 auto; max-width: 70rem; padding: 1rem 1.5rem 2rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin: 0 0 0.3rem; }
h3 { font-size: 1rem; text-transform: uppercase; letter-spacing: 0.03em; color: #4a5360; margin: 1.2rem 0 0.4rem; }
.muted { color: #4a5360; }
.story { border: 1px solid #c9d1db; border-radius: 0.5rem; padding: 1rem 1.25rem; margin: 1.25rem 0; }
.summary { background: #f5f7fa; border-left: 4px solid #0b57d0; padding: 0.6rem 0.9rem; margin: 0.25rem 0; }
.note { background: #fff4d6; color: #6b4400; padding: 0.4rem 0.75rem; border-radius: 0.3rem; }
.contested { background: #fff4d6; color: #6b4400; padding: 0.2rem 0.5rem; border-radius: 0.3rem; font-size: 0.9rem; }
.badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 1rem; font-size: 0.8rem; font-weight: 600;
  background: #e3ecfb; color: #0a3d8f; margin: 0.1rem 0.15rem 0.1rem 0; white-space: nowrap; }
.badge.flag { background: #3d4550; color: #fff; text-transform: uppercase; letter-spacing: 0.04em; }
.badge.warn { background: #6b4400; }
.badge.kind { background: #ece3fb; color: #4a1d8f; }
.point { margin-bottom: 0.75rem; } .point p { margin: 0 0 0.2rem; }
blockquote { margin: 0.25rem 0; padding: 0.1rem 0.6rem; border-left: 3px solid #c9d1db; font-style: italic; }
blockquote footer { font-style: normal; font-size: 0.85rem; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin: 0.4rem 0 1rem; }
caption { text-align: left; font-weight: 700; padding: 0.3rem 0; }
caption .confidence { font-weight: 400; color: #4a5360; font-size: 0.9rem; }
th, td { border: 1px solid #c9d1db; padding: 0.45rem 0.6rem; vertical-align: top; text-align: left; }
thead th, th[scope="row"] { background: #f5f7fa; } th[scope="row"] { width: 6rem; }
td.corner { border: none; width: 6rem; }
""".strip()


def _badge(text: str, kind: str = "source", title: str | None = None) -> str:
    tip = f' title="{escape(title)}"' if title else ""
    return f'<span class="badge {kind}"{tip}>{escape(text)}</span>'


def _source_badges(article_ids: Sequence[str], names: _Names) -> str:
    badges = []
    for article_id in _unique(article_ids):
        copies = names.copies.get(article_id)
        tip = f"{article_id}; also carried by {', '.join(copies)}" if copies else article_id
        badges.append(_badge(names.source(article_id), title=tip))
    return " ".join(badges)


def _html_quote(s: SupportOut, names: _Names) -> str:
    return (
        f'<blockquote data-article="{escape(s.article_id)}" data-start="{s.start}" data-end="{s.end}">'
        f"<p>“{escape(s.quote)}”</p><footer>— {_source_badges([s.article_id], names)}</footer></blockquote>"
    )


def _html_disagreement(dis: DisagreementOut, names: _Names) -> str:
    head = "".join(f'<th scope="col">{escape(p.claim)}</th>' for p in dis.positions)
    quotes = "".join("<td>" + "".join(_html_quote(s, names) for s in p.support) + "</td>" for p in dis.positions)
    sources = "".join(f"<td>{_source_badges([s.article_id for s in p.support], names)}</td>" for p in dis.positions)
    description = f'<p class="muted">{escape(dis.description)}</p>' if dis.description else ""
    return (
        f'<table class="disagreement"><caption><span class="aspect">{escape(dis.aspect)}</span> '
        f"{_badge(dis.kind, 'kind')}{_badge('changed between days', 'kind') if dis.evolving else ''} "
        f'<span class="confidence">confidence {dis.confidence:.2f}</span></caption>'
        f'<thead><tr><td class="corner"></td>{head}</tr></thead>'
        f'<tbody><tr><th scope="row">Quote</th>{quotes}</tr><tr><th scope="row">Source</th>{sources}</tr></tbody>'
        f"</table>{description}"
    )


def _html_cluster(cluster: ClusterOut, names: _Names) -> str:
    consensus = cluster.consensus
    flags = " ".join(_badge(f, "flag warn" if f == "single source" else "flag") for f in _flags(cluster))
    parts = [
        f'<article class="story" id="{escape(cluster.id)}" aria-labelledby="{escape(cluster.id)}-title">',
        f'<h2 id="{escape(cluster.id)}-title">{escape(names.title(cluster))} {flags}</h2>',
        f'<p class="muted">{escape(_stats(cluster))}</p>',
        '<ul class="articles">',
    ]
    for article_id in names.kept(cluster):
        meta = names.articles.get(article_id)
        title = escape(meta.title) if meta and meta.title else '<span class="muted">(no title)</span>'
        item = f"<li>{_badge(names.source(article_id))} {title} <code>{escape(article_id)}</code>"
        if meta and meta.published_at:
            item += f' <span class="muted">({meta.published_at})</span>'
        copies = names.copies.get(article_id)
        if copies:
            item += ' <span class="also-carried">— also carried by ' + _source_badges(copies, names) + "</span>"
        parts.append(item + "</li>")
    parts += ["</ul>", "<h3>Consensus</h3>"]
    if consensus.single_source:
        parts.append(f'<p class="note">{escape(SINGLE_SOURCE_NOTE)}</p>')
    parts.append(f'<p class="summary">{escape(consensus.summary or "(no summary)")}</p>')
    if consensus.notes:
        parts.append('<ul class="notes muted">' + "".join(f"<li>{escape(n)}</li>" for n in consensus.notes) + "</ul>")
    heading = "Points (one source)" if consensus.single_source else "Points the sources agree on"
    parts.append(f"<h3>{heading}</h3>")
    if consensus.points:
        parts.append('<ol class="points">')
        for point in consensus.points:
            sources = _source_badges([s.article_id for s in point.support], names)
            parts.append(
                f'<li class="point"><p>{escape(point.text)}</p>'
                f'<p class="muted sources">{_plural(point.independent_sources, "independent source")}: {sources}</p>'
                + (
                    f'<p class="contested"><strong>{CONTESTED_NOTE}</strong> {escape(", ".join(point.contested))}</p>'
                    if point.contested
                    else ""
                )
                + "".join(_html_quote(s, names) for s in point.support)
                + "</li>"
            )
        parts.append("</ol>")
    else:
        parts.append('<p class="muted">No points.</p>')
    parts.append("<h3>Where they disagree</h3>")
    if cluster.disagreements:
        parts += [_html_disagreement(d, names) for d in cluster.disagreements]
    else:
        parts.append('<p class="muted">No disagreements found.</p>')
    parts.append("</article>")
    return "\n".join(parts)


def to_html(response: SummariesResponse) -> str:
    """One self-contained HTML document (inline CSS, no scripts, nothing loaded from elsewhere)."""
    names = _Names(response)
    model = response.model
    body = [
        f"<h1>{escape(TITLE)}</h1>",
        f'<p class="muted">Summaries by <strong>{escape(model.name)}</strong> ({escape(model.mode)}); '
        f"claims aligned with {escape(model.embedding)}.</p>",
    ]
    if model.mode == "extractive":
        body.append(f'<p class="note">{escape(EXTRACTIVE_NOTE)}</p>')
    if response.skipped:
        items = "".join(f"<li><code>{escape(s.article_id)}</code>: {escape(s.reason)}</li>" for s in response.skipped)
        body.append(f'<div class="note"><p>{escape(SKIPPED_NOTE)}</p><ul>{items}</ul></div>')
    body += [_html_cluster(c, names) for c in response.clusters]
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(TITLE)}</title>\n<style>\n{HTML_CSS}\n</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )
