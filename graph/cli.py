"""The command line: thin commands over the Python API. Reads like a table of contents.

Heavy libraries (rdflib, pandas, SciPy, pyvis) are imported inside commands, so that
``stancegraph --help`` starts fast.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from graph import __version__
from graph.errors import StanceGraphError, ValidationError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
TABLE_FORMATS = ("table", "csv", "tsv", "json")


class Group(click.Group):
    """Turns the library's exceptions into one clear ``Error: ...`` and a non-zero exit."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ValidationError as exc:
            for problem in exc.problems:
                click.echo(f"Error: {problem}", err=True)
            raise click.ClickException(str(exc).splitlines()[0]) from exc
        except StanceGraphError as exc:
            raise click.ClickException(str(exc)) from exc


def store_option(read_only: bool = True):
    """``--store URI`` shared by every command that opens the store."""

    def decorator(func):
        @click.option(
            "--store",
            "store_uri",
            envvar="STANCEGRAPH_STORE",
            metavar="URI",
            help="memory:, oxigraph:PATH (default: $STANCEGRAPH_STORE or the per-user store), "
            "sparql+http://HOST/PATH",
        )
        @functools.wraps(func)
        def wrapper(*args, store_uri=None, **kwargs):
            from graph.settings import store_uri as resolve
            from graph.store import open_store

            store = open_store(resolve(store_uri), read_only=read_only)
            try:
                return func(*args, store=store, **kwargs)
            finally:
                store.close()

        return wrapper

    return decorator


def format_option(choices=TABLE_FORMATS, default="table"):
    """``--format`` shared by every command that prints rows."""
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
        help="output format",
    )


def echo_rows(rows, fmt, columns=None):
    """Print rows through the one output path (graph.output)."""
    from graph.output import write_rows

    write_rows(rows, fmt, sys.stdout, columns)


@click.group(cls=Group, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="stancegraph")
def cli():
    """stancegraph: who stands where in international politics, with the evidence.

    \b
    Example:
      stancegraph build && stancegraph query --list
    """


# ------------------------------------------------------------------------------ build

@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--no-bundled", is_flag=True, help="leave out the data shipped with the package")
@click.option("--texts", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="folder of source texts to check evidence offsets against (repeatable)")
@store_option(read_only=False)
def build(store, paths, no_bundled, texts):
    """Validate the vocabulary and data files, derive edges and roll-ups, write the store.

    Nothing is written unless every file is valid; rebuilding gives the same store.

    \b
    Example:
      stancegraph build my-sources/ --texts ../shared/seeds
    """
    from rich.console import Console

    from graph.build import build as run_build

    console = Console(stderr=True)
    with console.status("building") as status:
        report = run_build(store, paths, bundled=not no_bundled, texts=texts,
                           progress=lambda message: status.update(message))
    click.echo(
        f"built {report.store}: {len(report.files)} files, {report.claims} claims "
        f"({report.derived_claims} derived), {report.triples} triples"
        + (f"; evidence checked against {report.texts_checked} source text(s)"
           if report.texts_checked else "")
    )


# ------------------------------------------------------------------------------ query

@cli.command()
@click.argument("query", required=False)
@click.option("--file", "query_file", type=click.File("r", encoding="utf-8"),
              help="read the query from a file")
@click.option("--list", "list_queries", is_flag=True, help="list the named queries")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="bind a query variable (repeatable)")
@click.option("--format", "fmt", type=click.Choice(("table", "csv", "tsv", "json", "ttl", "nt")),
              default="table", show_default=True,
              help="SELECT: table/csv/tsv/json (W3C); CONSTRUCT: ttl/nt/json (JSON-LD)")
@store_option()
def query(store, query, query_file, list_queries, params, fmt):
    """Run SPARQL: a named query, a query string, or --file.

    QUERY is a named query (see --list) or SPARQL text. Parameters are bound as RDF terms,
    never pasted into the text. Updates, SERVICE, FROM and LOAD are refused.

    \b
    Example:
      stancegraph query actor-stances --param actor=KOR
      stancegraph query 'SELECT ?s WHERE { ?s a sg:State }' --format csv
    """
    from graph.output import write_result
    from graph.query import named_queries, parse_params, run_query

    if list_queries:
        rows = [
            {
                "name": q.name,
                "description": q.description,
                "parameters": ", ".join(
                    f"{p.name} ({p.type}{', optional' if p.optional else ''})"
                    for p in q.parameters
                ),
            }
            for q in named_queries().values()
        ]
        echo_rows(rows, "table" if fmt in ("ttl", "nt") else fmt)
        return
    if query_file is not None:
        text, declared = query_file.read(), ()
    elif query is None:
        raise click.UsageError("give a named query, SPARQL text, --file or --list")
    elif query in named_queries():
        named = named_queries()[query]
        text, declared = named.text, named.parameters
    else:
        text, declared = query, ()
    result = run_query(store, text, parse_params(params), declared)
    write_result(result, fmt, sys.stdout)


# ------------------------------------------------------------------------------ export

@cli.command()
@click.argument("fmt", metavar="FORMAT",
                type=click.Choice(("turtle", "nt", "trig", "nquads", "jsonld", "graphml", "gexf")))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="write to this file (default: standard output)")
@click.option("--as-of", metavar="DATE", help="graph formats: only claims valid on DATE")
@store_option()
def export(store, fmt, output, as_of):
    """Export the dataset (turtle, nt, trig, nquads, jsonld) or the state graph (graphml, gexf).

    \b
    Example:
      stancegraph export gexf -o stances.gexf
    """
    from graph.export import export as run_export

    data = run_export(store, fmt, output, as_of=as_of)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        click.echo(f"wrote {output} ({len(data)} bytes)", err=True)


# ------------------------------------------------------------------------------ analysis
# (gaps, balance, clusters, actor: issue 3)

# ------------------------------------------------------------------------------ import
# (import KIND PATH...: issue 6)

# ------------------------------------------------------------------------------ render
# (render: issue 4)

# ------------------------------------------------------------------------------ serve
# (serve: issue 5)


def main():
    """Console-script entry point."""
    cli(prog_name="stancegraph")


if __name__ == "__main__":
    main()
