"""The workbench's commands (``propose``, ``code``, ``agreement``), added to ``stancegraph``.

Thin click glue over :mod:`graph.workbench.commands`; kept here so that ``graph/cli.py`` stays a
table of contents. Imports are light (click only): the work is imported inside each command.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

__all__ = ["propose", "code", "agreement", "COMMANDS"]

_FORMATS = ("table", "csv", "tsv", "json")


def _echo(rows, fmt):
    from graph.output import write_rows

    write_rows(rows, fmt, sys.stdout)


def _store(func):
    return click.option(
        "--store", "store_uri", envvar="STANCEGRAPH_STORE", metavar="URI",
        help="memory:, oxigraph:PATH (default: $STANCEGRAPH_STORE or the per-user store)")(func)


@click.command()
@click.argument("text_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", "source_id", required=True, metavar="ID",
              help="the source's id (source:ID); its date is read from the store if declared")
@click.option("--date", metavar="YYYY-MM-DD", help="the article's date (default: the source's)")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="csv", show_default=True)
@_store
def propose(text_file, source_id, date, fmt, store_uri):
    """Propose claims for a text, in the spreadsheet layout (review them before importing).

    Labels come from the store (the bundled entities when there is none).

    \b
    Example:
      stancegraph propose article.txt --source kim-2021-03-27 > proposals.csv
    """
    from graph.workbench.commands import propose_rows

    _echo(propose_rows(text_file, source_id, date=date, store_uri=store_uri), fmt)


@click.command()
@click.argument("text_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", "source_id", metavar="ID", help="the source's id (default: file stem)")
@click.option("--into", type=click.Path(file_okay=False, path_type=Path), default="coded",
              show_default=True, help="folder the source file (ID.ttl) is saved into")
@_store
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.option("--no-browser", is_flag=True, help="do not open a browser")
def code(text_file, source_id, into, store_uri, host, port, no_browser):
    """Open the coding page for a text: select spans, code claims, review proposals, save.

    \b
    Example:
      stancegraph code article.txt --source kim-2021-03-27 --into data/sources
    """
    from graph.settings import store_uri as resolve
    from graph.workbench.commands import serve_workbench

    serve_workbench(text_file, source_id, into, resolve(store_uri), host=host, port=port,
                    browser=not no_browser, say=lambda m: click.echo(m, err=True))


@click.command()
@click.argument("file_a", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("file_b", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--merge", "merge_out", type=click.Path(dir_okay=False, path_type=Path),
              help="write one coding choosing per unit (Turtle or the spreadsheet layout)")
@click.option("--prefer", type=click.Choice(("a", "b")), default="a", show_default=True,
              help="--merge: the coding a unit both coded is taken from")
@click.option("--choose", "choices", multiple=True, metavar="UNIT=a|b",
              help="--merge: take this unit (e.g. 946..997) from a or b; repeatable")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="table",
              show_default=True)
def agreement(file_a, file_b, merge_out, prefer, choices, fmt):
    """Krippendorff's alpha of two codings of one source (actor, relation, target per unit).

    \b
    Example:
      stancegraph agreement alice.ttl bob.ttl --merge merged.ttl
    """
    from graph.workbench.commands import agreement_report

    summary, table, merged = agreement_report(file_a, file_b, merge_out, prefer, choices)
    _echo(summary, fmt)
    if table:
        click.echo(f"\n{len(table)} disagreements:", err=True)
        _echo(table, fmt)
    if merged is not None:
        click.echo(f"merged into {merge_out}: {merged['a']} units from A, {merged['b']} from B",
                   err=True)


COMMANDS = (propose, code, agreement)
