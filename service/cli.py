"""Command line: `summarize` a folder of raw articles, `serve` the API, `download-model` for images."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ARTICLE_SUFFIXES = (".txt", ".html", ".htm")
# Without a terminal on stderr (CI logs, pipes), a progress bar is drawn only for this many files or more.
MANY_FILES = 100


def _find_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in ARTICLE_SUFFIXES and p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            raise SystemExit(f"error: {path} does not exist")
    if not files:
        raise SystemExit("error: no .txt or .html articles found in " + ", ".join(map(str, paths)))
    return files


def _read_articles(files: list[Path], progress: _Progress | None = None) -> list[tuple[str, str, bool]]:
    """(id, content, is_html) for each file; a folder contributes its .txt/.html files in name order."""
    articles = []
    for file in files:
        try:
            content = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SystemExit(f"error: cannot read {file} as UTF-8 text: {exc}") from exc
        articles.append((file.stem, content, file.suffix.lower() in (".html", ".htm")))
        if progress is not None:
            progress.advance(f"reading {file.name}")
    return articles


class _Progress:
    """One progress bar on stderr: reading the files (one step each), loading models, then the pipeline.

    The pipeline part advances per stage when ``analyze`` reports progress (a ``progress`` callback),
    and in one step when it does not.
    """

    PIPELINE_STEPS = 100

    def __init__(self, files: int, enabled: bool) -> None:
        from tqdm import tqdm

        self.bar = tqdm(
            total=files + 1 + self.PIPELINE_STEPS,
            file=sys.stderr,
            disable=not enabled,
            unit="step",
            dynamic_ncols=True,
            mininterval=0.2 if sys.stderr.isatty() else 5.0,
            bar_format="{desc:<32.32} {percentage:3.0f}%|{bar}| {elapsed}<{remaining}",
        )
        self.pipeline_done = 0

    def advance(self, description: str, steps: int = 1) -> None:
        self.bar.set_description_str(description, refresh=False)
        self.bar.update(steps)

    def stage(self, stage: str, fraction: float) -> None:
        """``fraction`` of the whole pipeline is done, now in ``stage``."""
        target = max(self.pipeline_done, min(self.PIPELINE_STEPS, round(fraction * self.PIPELINE_STEPS)))
        self.advance(stage, target - self.pipeline_done)
        self.pipeline_done = target

    def close(self) -> None:
        self.stage("done", 1.0)
        self.bar.close()


@contextmanager
def _progress(files: int, choice: bool | None) -> Iterator[_Progress]:
    enabled = choice if choice is not None else sys.stderr.isatty() or files >= MANY_FILES
    progress = _Progress(files, enabled)
    try:
        yield progress
    finally:
        progress.bar.close()


def _summarize(args: argparse.Namespace) -> int:
    from service.api.convert import to_response
    from service.engine import Engine
    from service.log_config import configure_logging
    from service.pipeline.analyze import analyze
    from service.pipeline.clean import NoUsableArticlesError
    from service.pipeline.types import ArticleInput
    from service.report import to_html, to_markdown
    from service.settings import get_settings

    settings = get_settings()
    configure_logging(settings)
    files = _find_files(args.paths)
    with _progress(len(files), args.progress) as progress:
        raw = _read_articles(files, progress)
        inputs = [
            ArticleInput(id=i, html=content) if is_html else ArticleInput(id=i, text=content)
            for i, content, is_html in raw
        ]
        progress.advance("loading models", 0)
        engine = Engine.load(settings)
        progress.advance("analysing")
        try:
            analysis = analyze(
                inputs,
                embedder=engine.embedder,
                linguist=engine.linguist,
                summarizer=engine.summarizer,
                settings=settings,
                group_events=not args.one_cluster,
                max_summary_words=args.max_summary_words,
                progress=progress.stage,
            )
        except NoUsableArticlesError as exc:
            progress.bar.close()
            for s in exc.skipped:
                print(f"error: article {s.article_id!r}: {s.reason}", file=sys.stderr)
            print("error: no article could be used", file=sys.stderr)
            return 2
        progress.close()
    for s in analysis.skipped:
        print(f"warning: skipped article {s.article_id!r}: {s.reason}", file=sys.stderr)
    response = to_response(analysis, engine)
    if args.format == "markdown":
        sys.stdout.write(to_markdown(response))
    elif args.format == "html":
        sys.stdout.write(to_html(response))
    else:
        sys.stdout.write(response.model_dump_json(indent=2) + "\n")
    return 0


def _batch(args: argparse.Namespace) -> int:
    from service.batch.checkpoint import CheckpointError
    from service.batch.runner import BatchOptions, run_batch
    from service.log_config import configure_logging
    from service.settings import get_settings

    settings = get_settings()
    configure_logging(settings)
    if not args.input.is_file():
        raise SystemExit(f"error: {args.input} does not exist")
    options = BatchOptions(
        input=args.input,
        out=args.out,
        engine=args.engine,
        ray_address=args.ray_address,
        max_summary_words=args.max_summary_words,
        checkpoint_dir=args.checkpoint_dir,
        progress=args.progress,
    )
    try:
        result = run_batch(options, settings)
    except (CheckpointError, RuntimeError) as exc:  # a checkpoint of another run; Ray missing or failing
        print(f"error: {exc}", file=sys.stderr)
        return 2
    summary = result.summary
    for line in summary["invalid"]:
        print(f"warning: line {line['line']} left out: {'; '.join(line['errors'])}", file=sys.stderr)
    for skipped in summary["skipped"]:
        print(f"warning: skipped article {skipped['article_id']!r}: {skipped['reason']}", file=sys.stderr)
    print(
        f"{summary['stories']} stories from {summary['articles']} articles in {args.out} "
        f"({result.written} written by this run{', resumed' if result.resumed else ''}; "
        f"{len(summary['invalid'])} invalid lines, {len(summary['skipped'])} articles skipped, "
        f"{summary['duplicates']} duplicates; engine {summary['engine']}, {summary['timings']['total_s']:.1f} s); "
        f"summary in {result.summary_path}",
        file=sys.stderr,
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.api.app import create_app

    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")
    return 0


def _download_model(args: argparse.Namespace) -> int:
    """Fetch weights into the local cache (used at image build time; the service never downloads)."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from service.settings import get_settings

    model = args.model or get_settings().model
    AutoTokenizer.from_pretrained(model)
    AutoModelForSeq2SeqLM.from_pretrained(model)
    print(f"cached {model}")
    return 0


def _convert_ct2(args: argparse.Namespace) -> int:
    """Convert a local or cached seq2seq model to CTranslate2 (int8 by default) for NEWSFUSE_BACKEND=ctranslate2."""
    from service.models.ctranslate2_backend import convert
    from service.settings import get_settings

    model = args.model or get_settings().model
    output = convert(model, args.output, args.quantization)
    print(
        f"converted {model} to {output} ({args.quantization}); use NEWSFUSE_BACKEND=ctranslate2 NEWSFUSE_MODEL={output}"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m service", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    summarize = sub.add_parser("summarize", help="analyse a folder (or files) of raw .txt/.html articles")
    summarize.add_argument("paths", nargs="+", type=Path, metavar="DIR|FILE")
    summarize.add_argument(
        "--format",
        choices=("json", "markdown", "html"),
        default="json",
        help="json: the API's response; markdown: a readable report; html: a self-contained report page",
    )
    summarize.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"progress bar on stderr (default: when stderr is a terminal, or for {MANY_FILES}+ files)",
    )
    summarize.add_argument("--one-cluster", action="store_true", help="do not split into event clusters")
    summarize.add_argument("--max-summary-words", type=int, default=120)
    summarize.set_defaults(run=_summarize)

    batch = sub.add_parser(
        "batch",
        help="analyse a JSON-lines file of articles into one story per line (resumable; in-process or on Ray)",
        description="Articles as JSON lines (the API's article fields) in; one story per line out (the API's "
        "cluster object, its id a stable key, plus its articles' metadata). Bad lines are reported and left "
        "out. Re-run the same command after a crash: it resumes from OUT.checkpoint/ and writes every story "
        "once. A summary (invalid lines, skipped articles, models, timings) goes to OUT.summary.json.",
    )
    batch.add_argument("input", type=Path, metavar="IN.jsonl")
    batch.add_argument("--out", type=Path, required=True, metavar="OUT.jsonl")
    batch.add_argument("--engine", choices=("inprocess", "ray"), default="inprocess")
    batch.add_argument(
        "--ray-address",
        default=None,
        help="Ray cluster for --engine ray: 'local' starts one here (default: NEWSFUSE_RAY_ADDRESS, else local)",
    )
    batch.add_argument("--max-summary-words", type=int, default=120)
    batch.add_argument("--checkpoint-dir", type=Path, default=None, help="default: OUT.jsonl.checkpoint")
    batch.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )
    batch.set_defaults(run=_batch)

    serve = sub.add_parser("serve", help="run the REST API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(run=_serve)

    download = sub.add_parser("download-model", help="cache a model's weights (needs network)")
    download.add_argument("--model", default=None, help="hub id (default: NEWSFUSE_MODEL)")
    download.set_defaults(run=_download_model)

    ct2 = sub.add_parser("convert-ct2", help="convert a seq2seq model to CTranslate2 for the int8 backend")
    ct2.add_argument("--model", default=None, help="hub id (from the cache) or directory (default: NEWSFUSE_MODEL)")
    ct2.add_argument("--output", type=Path, required=True)
    ct2.add_argument("--quantization", default="int8", choices=("int8", "int8_float32", "int16", "float32"))
    ct2.set_defaults(run=_convert_ct2)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))
