"""A readable Markdown report of a summaries response (the same structure as the JSON)."""

from __future__ import annotations

from service.api.schemas import SummariesResponse, SupportOut


def _quote(s: SupportOut) -> str:
    return f"> “{s.quote}” — *{s.source}* (`{s.article_id}`)"


def to_markdown(response: SummariesResponse) -> str:
    lines = ["# What the sources agree on, and where they disagree", ""]
    model = response.model
    lines.append(f"Summaries by **{model.name}** ({model.mode}); claims aligned with {model.embedding}.")
    lines.append("")
    titles = {a.id: a for a in response.articles}
    for cluster in response.clusters:
        heads = [titles[i].title or i for i in cluster.article_ids if i in titles]
        lines += [f"## Story {cluster.id}: {heads[0] if heads else ''}", ""]
        lines.append(
            f"{len(cluster.article_ids)} articles, {cluster.independent_sources} independent source(s): "
            + ", ".join(f"`{i}`" for i in cluster.article_ids)
        )
        for dup in cluster.duplicates:
            lines.append(f"- `{dup.kept}` also carried by " + ", ".join(f"`{c}`" for c in dup.copies))
        lines.append("")
        consensus = cluster.consensus
        if consensus.single_source:
            lines += ["**Single source:** no other independent source confirms these points.", ""]
        lines += ["### Consensus", "", consensus.summary or "_(no summary)_", ""]
        for note in consensus.notes:
            lines.append(f"_Note: {note}_")
        lines += ["", "#### Supporting points", ""]
        for number, point in enumerate(consensus.points, start=1):
            sources = ", ".join(sorted({s.source for s in point.support}))
            lines.append(f"{number}. {point.text} — {point.independent_sources} sources: {sources}")
        lines += ["", "### Disagreements", ""]
        if not cluster.disagreements:
            lines += ["None found.", ""]
        for dis in cluster.disagreements:
            lines += [f"#### {dis.aspect} ({dis.kind}, confidence {dis.confidence:.2f})", ""]
            for position in dis.positions:
                lines.append(f"- **{position.claim}**")
                for support in position.support:
                    lines.append("  " + _quote(support))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
