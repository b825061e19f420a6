"""Command line: parses arguments, shows progress, calls the steps. Nothing else."""
from __future__ import annotations

import itertools
import json
import os
import sys
from pathlib import Path

import click

from .grouping.languages import LANGS

# One BLAS thread per process: OpenBLAS's spinning helper threads compete with spaCy and
# with the --workers processes for the cores (docs/performance.md). Set before
# numpy is imported; an explicit setting in the environment wins. (The embedding model's
# OpenMP threads are set per ingest instead: embedding_threads.)
_OMP_SET_BY_USER = "OMP_NUM_THREADS" in os.environ
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

DEFAULT_DB = "db/quotes.db"


def _error(message: str) -> None:
    click.echo(f"quotetrack: {message}", err=True)


def _progress(iterable, quiet: bool, desc: str):
    """A progress bar on a terminal; silent in pipes, CI and with --quiet."""
    if quiet or not sys.stderr.isatty():
        return iterable
    from tqdm import tqdm
    return tqdm(iterable, desc=desc, unit=" articles", file=sys.stderr)


def _articles(paths, failures: list):
    """Articles from the given paths; each bad file or record is reported in one line and skipped."""
    from .sources.files import SourceError
    from .sources.formats import iter_articles
    for item in iter_articles(paths):
        if isinstance(item, SourceError):
            failures.append(item)
            _error(f"error: {item}")
            continue
        yield item


def _not_originals(items):
    """Articles only: an original is an official text to store (``ingest``), not to extract from."""
    from .records import Original
    for item in items:
        if isinstance(item, Original):
            _error(f"{item.where}: an original, not an article: skipped (quotetrack ingest stores it)")
            continue
        yield item


def _existing_db(db_path: Path):
    """Open a database the user named, refusing to create an empty one by mistake."""
    from . import ingest

    if not Path(db_path).exists():
        raise click.ClickException(f"{db_path}: no such database; run `quotetrack ingest` first")
    return ingest.open_db(db_path)


def _model(model: str | None, workers: int):
    """The model to extract with (with --workers N only the workers load it); a
    missing one is a one-line error, not a traceback."""
    from .extract.pipeline import model_for

    try:
        return model_for(model, workers)
    except RuntimeError as e:
        raise click.ClickException(str(e)) from None


# the default of --workers: every usable core, up to this many (each worker holds a spaCy
# model of its own, and past this the one process that writes the database is the limit)
MAX_DEFAULT_WORKERS = 8
WORKERS_HELP = (f"Processes that parse and attribute in parallel, one spaCy model each (1: this process; "
                f"at most {MAX_DEFAULT_WORKERS} by default, past which the one database writer is the limit). "
                "A short input starts fewer, or none.")


def default_workers() -> int:
    """The default of ``--workers``: the usable cores, at most ``MAX_DEFAULT_WORKERS``."""
    from .grouping.embeddings import usable_cores

    return max(1, min(usable_cores(), MAX_DEFAULT_WORKERS))


def embedding_threads(workers: int) -> int:
    """Threads for the sentence-embedding model during an ingest: in one process,
    parsing and grouping take turns, so grouping may use every core; with ``workers``
    parsing processes, the cores they leave. (OMP_NUM_THREADS set by the user wins.)"""
    from .grouping.embeddings import usable_cores

    return max(1, usable_cores() - (workers if workers > 1 else 0))


def _extraction_failed(failures: list):
    """One line per article the extractor could not process; the batch goes on."""
    def report(article, error):
        failures.append(article.where)
        _error(f"error: {article.where}: could not extract quotations: {type(error).__name__}: {error}".splitlines()[0])
    return report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="quotetrack")
def cli():
    """quotetrack: who said what in the news.

    Reads news articles (.txt, .md, .jsonl, .jsonl.gz, saved .html pages), finds every direct
    quotation and its speaker, groups variant renderings of the same statement,
    stores it all in SQLite and publishes it with Datasette.

    \b
    Typical use:
      quotetrack ingest seeds/            # build db/quotes.db
      quotetrack serve                    # browse it on http://127.0.0.1:8001
      quotetrack extract article.txt --json
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(path_type=Path),
              help="SQLite database to add to (created if missing).")
@click.option("--outlet", default=None,
              help="Outlet of every article of this run that has none (from its metadata or its text).")
@click.option("--model", default=None, help="spaCy model to parse with (default: en_core_web_sm, else its PyPI re-upload).")
@click.option("--batch-size", default=32, show_default=True, help="Articles per nlp.pipe batch.")
@click.option("--workers", default=default_workers, show_default="the usable cores", type=click.IntRange(1),
              help=WORKERS_HELP)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
def ingest(paths, db_path, outlet, model, batch_size, workers, quiet):
    """Add articles from files or folders to the database.

    PATHS are files or folders (searched recursively) of .txt, .md, .jsonl or
    .jsonl.gz articles (JSON Lines: one article per line with "text" and optional
    "title", "outlet", "author", "date"/"published", "url", "id") and saved web
    pages (.html, .htm). A metadata.csv, metadata.tsv or metadata.jsonl in a folder
    gives its files' title, outlet, author, date and URL. Articles are
    identified by their content: ingesting the same text again adds nothing.
    Bad files are reported one per line and skipped; the exit status is 1 when
    any file or record failed.
    """
    from . import ingest as ingesting
    from .grouping import embeddings

    nlp = _model(model, workers)         # before the database: a missing model creates nothing

    def set_threads(started: int) -> None:   # the parsing processes actually started
        if not _OMP_SET_BY_USER:
            embeddings.set_threads(embedding_threads(started))

    failures: list = []
    articles = _articles(paths, failures)
    if outlet and outlet.strip():
        articles = _with_outlet(articles, " ".join(outlet.split()))
    first = next(articles, None)          # read before the database: nothing to add creates no file
    if first is None and not Path(db_path).exists():
        if not quiet:
            click.echo(f"{_count(0, 'article')} added, {len(failures)} failed; no database created: {db_path}", err=True)
        sys.exit(1 if failures else 0)
    db = ingesting.open_db(db_path)

    def not_stored(article, e) -> None:   # one bad article must not stop the batch
        failures.append(article.where)
        _error(f"error: {article.where}: not stored: {e}")

    counts = ingesting.ingest_articles(db, itertools.chain([first] if first else [], articles), nlp,
                                       batch_size=batch_size, workers=workers,
                                       on_error=_extraction_failed(failures), on_failed=not_stored,
                                       on_workers=set_threads,
                                       progress=lambda extracted: _progress(extracted, quiet, "ingest"))
    if not quiet:
        published = f", {_count(counts['originals'], 'original')} added" if counts.get("originals") else ""
        click.echo(f"{_count(counts['added'], 'article')} added ({_count(counts['quotes'], 'quotation')}){published}, "
                   f"{counts['present']} already present, {len(failures)} failed; database: {db_path}", err=True)
    sys.exit(1 if failures else 0)


def _with_outlet(articles, outlet: str):
    """``quotetrack ingest --outlet``: the outlet of the articles that have none."""
    for article in articles:
        if getattr(article, "outlet", "") is None:     # an article (an original has no outlet)
            article.outlet = outlet
        yield article


def _count(n: int, noun: str) -> str:
    """ "1 article", "2 articles" """
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="JSON Lines: one object per quotation.")
@click.option("--all", "include_all", is_flag=True,
              help="Also emit quoted strings that are not speech: titles of works, nicknames, scare quotes.")
@click.option("--model", default=None, help="spaCy model to parse with.")
@click.option("--batch-size", default=32, show_default=True, help="Articles per nlp.pipe batch.")
@click.option("--workers", default=default_workers, show_default="the usable cores", type=click.IntRange(1),
              help=WORKERS_HELP)
def extract(paths, as_json, include_all, model, batch_size, workers):
    """Print the quotations in FILES without touching a database.

    With --json each line is an object with path, start, end (character offsets
    of the quoted words in the file's decoded text: text[start:end] is the quote),
    text, speaker (canonical name or null), speaker_mention, speaker_start,
    speaker_end, cue, confidence, kind and, for JSON Lines input, line and id.
    """
    from .extract.parallel import extract_articles

    failures: list = []
    nlp = _model(model, workers)
    out = sys.stdout
    for article, quotes in extract_articles(_not_originals(_articles(paths, failures)), nlp, batch_size=batch_size,
                                            on_error=_extraction_failed(failures), workers=workers):
        for q in quotes:
            if not q.is_speech and not include_all:
                continue
            if as_json:
                record = {"path": article.path, **q.to_dict()}
                if article.line is not None:
                    record["line"] = article.line
                    record["id"] = article.record_id
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                who = q.speaker or "?"
                out.write(f"{article.where}:{q.start}-{q.end}\t{who}\t“{q.text}”\n")
    sys.exit(1 if failures else 0)


@cli.command()
@click.argument("db_path", default=DEFAULT_DB, required=False, type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, help="Port to listen on.")
@click.option("--metadata", "metadata_path", default=None, type=click.Path(path_type=Path),
              help="Datasette metadata (default: metadata.yml here, else the one shipped with quotetrack).")
@click.option("--public", is_flag=True,
              help="Publish read-only: the database is opened immutable and arbitrary SQL is off "
                   "(canned queries, search, facets and filters still work). Stop it before ingesting.")
@click.option("--workers", type=click.IntRange(1), default=None,
              help="Server processes, each a Datasette on the same port (default: one per CPU core "
                   "with --public, else 1).")
def serve(db_path, host, port, metadata_path, public, workers):
    """Browse the database with Datasette (quotetrack's metadata and plugin included)."""
    import secrets

    import uvicorn

    from . import publish as publishing
    from .site import app as site_app

    db = _existing_db(db_path)   # also brings an older schema up to date
    # the name of the file, not of a symbolic link's target, names the database (/quotes)
    path = Path(os.path.abspath(db_path))
    inspect_file = None
    if public:
        try:
            if not publishing.is_current(db, path):
                click.echo(f"publishing {db_path} (summaries, ANALYZE, inspect data)", err=True)
                publishing.publish(db, path)
        except publishing.PublishError as e:
            raise click.ClickException(str(e))
        inspect_file = publishing.inspect_file_of(path)
    db.close()
    metadata_path = metadata_path or site_app.metadata_path()
    if metadata_path:
        # read here, so a mistake stops the command instead of every worker process
        from datasette.utils import parse_metadata
        try:
            parse_metadata(Path(metadata_path).read_text(encoding="utf-8"))
        except Exception as e:  # noqa: BLE001 - any unreadable or malformed file
            raise click.ClickException(f"{metadata_path}: not usable as Datasette metadata: {e}")
    if workers is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        workers = cores if public else 1
    os.environ[site_app.SERVE_CONFIG] = json.dumps({
        "files": [] if public else [str(path)],
        "immutables": [str(path)] if public else [],
        "metadata": str(metadata_path) if metadata_path else None,
        "settings": serve_settings(public),
        "inspect_file": str(inspect_file) if inspect_file else None,
        # one secret for every worker: a cookie signed by one is valid in the others
        "secret": os.environ.get("DATASETTE_SECRET") or secrets.token_hex(32),
    })
    # each worker is a process of its own with a Datasette of its own, so the pages of
    # several visitors are rendered at once
    uvicorn.run("quotetrack.site.app:make_app", factory=True, host=host, port=port, workers=workers,
                lifespan="on", log_level="info")


def serve_settings(public: bool) -> dict:
    """Datasette's settings for ``quotetrack serve``."""
    # no "suggested facets": they run a trial facet query per column on every table page
    settings = {"suggest_facets": False}
    if public:
        settings.update({
            "default_allow_sql": False,
            # SQL in the worker's own thread: with a process per core, a thread pool's
            # hand-offs only add CPU
            "num_sql_threads": 0,
            # Cache-Control: max-age for a proxy in front: a published database changes
            # only when it is published again
            "default_cache_ttl": 600,
        })
    return settings


@cli.command()
@click.argument("db_path", default=DEFAULT_DB, required=False, type=click.Path(path_type=Path))
def publish(db_path):
    """Prepare DB_PATH for a read-only site: fold the write-ahead log, count the site's
    summary tables, ANALYZE, and write Datasette's inspect data beside it
    (NAME.inspect.json). `serve --public` does this itself when the database changed."""
    from . import publish as publishing

    db = _existing_db(db_path)
    try:
        done = publishing.publish(db, Path(os.path.abspath(db_path)))
    except publishing.PublishError as e:
        raise click.ClickException(str(e))
    finally:
        db.close()
    click.echo(f"published {db_path}: {done.tables_counted} summaries counted, inspect data in {done.inspect_file}")


@cli.group()
def statements():
    """Correct the grouping of quotes into statements.

    \b
      quotetrack statements merge 12 40     # statement 40 is statement 12
      quotetrack statements split 97        # quote 97 is not its statement

    Corrections are recorded in the statement_corrections table and re-applied
    after every later ingest, so they are never undone by new articles.
    """


@statements.command("merge")
@click.argument("keep", type=int)
@click.argument("drop", type=int)
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(path_type=Path),
              help="SQLite database to correct.")
def statements_merge(keep, drop, db_path):
    """Merge statement DROP into statement KEEP (ids from the statements table)."""
    from .db import summaries
    from .grouping import statements as statements_module

    db = _existing_db(db_path)
    try:
        statements_module.merge_statements(db, keep, drop)
    except statements_module.StatementError as e:
        raise click.ClickException(str(e))
    summaries.refresh(db)
    row = db["statements"].get(keep)
    click.echo(f"statement {keep} now has {_count(row['quote_count'], 'quote')}: {row['text']}")


@statements.command("split")
@click.argument("quote_id", type=int)
@click.option("--statement", "statement_id", type=int, default=None,
              help="The statement to take the quote out of (default: the quote's main statement).")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(path_type=Path),
              help="SQLite database to correct.")
def statements_split(quote_id, statement_id, db_path):
    """Take quote QUOTE_ID out of its statement into a statement of its own."""
    from .db import summaries
    from .grouping import statements as statements_module

    db = _existing_db(db_path)
    try:
        new_id = statements_module.split_quote(db, quote_id, statement_id)
    except statements_module.StatementError as e:
        raise click.ClickException(str(e))
    summaries.refresh(db)
    click.echo(f"quote {quote_id} is now statement {new_id}")


@cli.group()
def originals():
    """Official texts that the news quotes render (a ministry's communiqué, a transcript).

    \b
      quotetrack originals add communique-es.txt --speaker "Cuban Foreign Ministry" --date 2023-09-04

    Each sentence of an original is linked to the statement its renderings form, in
    any of English, Spanish, Portuguese, French, Italian and German; the statement
    page shows it above the renderings.
    """


@originals.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--speaker", default=None, help="Who published it (a person or an organisation), as in the news.")
@click.option("--date", "published", default=None, help="When it was published (YYYY-MM-DD).")
@click.option("--lang", default=None, type=click.Choice(LANGS),
              help="Its language (guessed when not given).")
@click.option("--url", default=None, help="Where it was published.")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(path_type=Path),
              help="SQLite database to add to (created if missing).")
def originals_add(paths, speaker, published, lang, url, db_path):
    """Add the originals in PATHS: a text file (or saved page) is one original, each
    record of a JSON Lines file one (its own "speaker", "date", "lang", "url" fields
    win over the options). Quotes already stored and quotes ingested later are linked
    to its sentences. Adding the same text again changes nothing."""
    from . import ingest as ingesting
    from .db import summaries
    from .sources.dates import parse_date
    from .sources.files import SourceError
    from .sources.formats import read_originals

    if published and not parse_date(published):
        raise click.BadParameter(f"{published!r} is not a date (YYYY-MM-DD)", param_hint="--date")
    failures: list = []
    items = []
    for path in paths:
        for item in read_originals(path, speaker=speaker, published=published, lang=lang, url=url):
            if isinstance(item, SourceError):
                failures.append(item)
                _error(f"error: {item}")
            else:
                items.append(item)
    if not items:
        sys.exit(1)
    db = ingesting.open_db(db_path)

    def not_stored(item, e) -> None:
        failures.append(item.where)
        _error(f"error: {item.where}: not stored: {e}")

    from .grouping import corrections, lineage
    from .grouping import originals as originals_module
    added = []
    for item in items:
        try:
            added.append((item, originals_module.add_original(db, item)))
        except Exception as e:  # noqa: BLE001 - one bad original must not stop the others
            not_stored(item, e)
    if added:
        # the merges may have joined statements a user split: their corrections hold; the
        # statements merged or added are counted as ingest would
        with db.conn:
            corrections.apply_corrections(db)
            lineage.refresh_independent_outlets(db, article_ids=())
    summaries.refresh(db)
    for item, done in added:
        if done.present:
            click.echo(f"{item.where}: already present (original {done.original_id})", err=True)
        else:
            click.echo(f"{item.where}: original {done.original_id}, {_count(done.sentences, 'sentence')}, "
                       f"{_count(done.renderings, 'quoted sentence')} linked, {done.unquoted} not quoted yet", err=True)
    sys.exit(1 if failures else 0)


def main():  # pragma: no cover
    cli()


if __name__ == "__main__":  # pragma: no cover
    cli()
