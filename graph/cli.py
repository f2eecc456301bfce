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
    from graph.store.query import named_queries, parse_params, run_query

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
                type=click.Choice(("turtle", "nt", "trig", "nquads", "jsonld", "graphml", "gexf",
                                   "csv")))
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

def _emit_sections(sections: dict, fmt: str):
    """Print named tables: one JSON object for json, titled tables for the other formats."""
    import json

    from graph.output import _jsonable, rows_to_text

    if fmt == "json":
        click.echo(json.dumps(_jsonable(sections), indent=2, ensure_ascii=False))
        return
    for title, rows in sections.items():
        if not isinstance(rows, list):
            rows = [rows] if isinstance(rows, dict) else [{"value": rows}]
        if fmt == "table":
            click.echo(f"\n{title}")
        else:
            click.echo(f"# {title}")
        click.echo(rows_to_text(rows, fmt), nl=False)


def as_of_option(func):
    return click.option("--as-of", metavar="DATE",
                        help="only claims valid on DATE (YYYY-MM-DD)")(func)


@cli.command()
@click.option("--actor", metavar="CODE", help="only pairs with this state (ISO code)")
@click.option("--issue", metavar="ISSUE",
              help="only this issue (code or label) and issues under it")
@click.option("--min-score", type=float, default=0.0, show_default=True,
              help="leave out gaps scoring below this")
@click.option("--limit", type=int, default=20, show_default=True, help="rows to show (0: all)")
@as_of_option
@format_option(("table", "csv", "json"))
@store_option()
def gaps(store, actor, issue, min_score, limit, as_of, fmt):
    """Coordination gaps: where allied states take different positions, ranked.

    score = |position_a - position_b| / 2 x salience of the issue; each row carries both
    sides' evidence and sources.

    \b
    Example:
      stancegraph gaps --actor KOR --as-of 2021-03-27
    """
    from graph.analysis.run import gap_rows, run_gaps

    found = run_gaps(store, actor=actor, issue=issue, min_score=min_score, as_of=as_of)
    if limit:
        found = found[:limit]
    if fmt == "json":
        _emit_sections({"gaps": found}, "json")
        return
    rows = gap_rows(found)
    if fmt == "table":
        for row in rows:
            row["evidence_a"] = " | ".join(row["evidence_a"])
            row["evidence_b"] = " | ".join(row["evidence_b"])
        columns = ["pair", "issue", "position_a", "position_b", "score", "evidence_a", "evidence_b"]
        echo_rows(rows, fmt, columns)
    else:
        echo_rows(rows, fmt)


@cli.command()
@click.option("-k", "--blocks", "k", type=int, default=2, show_default=True,
              help="blocks of the generalised partition (Doreian & Mrvar)")
@click.option("--method", type=click.Choice(("auto", "exact", "heuristic")), default="auto",
              show_default=True, help="frustration index: exact binary program or heuristic")
@as_of_option
@format_option(("table", "csv", "json"))
@store_option()
def balance(store, k, method, as_of, fmt):
    """Structural balance of the state graph: triads, frustration index, balanced partition.

    \b
    Example:
      stancegraph balance -k 3 --format json
    """
    from graph.analysis.run import run_balance

    report = run_balance(store, k=k, method=method, as_of=as_of)
    triads = [
        {"triad": "-".join(t.nodes), "balanced": t.balanced,
         "edges": ", ".join(f"{u}{'+' if s > 0 else '-'}{v}" for u, v, s in t.edges)}
        for t in report.triads
    ]
    f = report.frustration
    summary = {
        "states": report.graph.number_of_nodes(),
        "signed_edges": report.graph.number_of_edges(),
        "triangles": len(report.triads),
        "balanced_triangles": sum(t.balanced for t in report.triads),
        "balance_ratio": report.balance_ratio,
        "frustration_index": f.value,
        "exact": f.exact,
        "lower_bound": f.lower_bound,
        "upper_bound": f.upper_bound,
    }
    frustrated = [{"edge": f"{u}-{v}", "sign": s} for u, v, s in f.frustrated_edges]
    partition = []
    if report.partition is not None:
        partition = [{"block": i, "states": ", ".join(b)}
                     for i, b in enumerate(report.partition.blocks)]
        summary["partition_criterion"] = report.partition.criterion
    violating = [{"edge": f"{u}-{v}", "sign": s}
                 for u, v, s in (report.partition.violating_edges if report.partition else [])]
    _emit_sections({"summary": summary, "triads": triads, "frustrated edges": frustrated,
                    f"{k}-way partition": partition, "edges violating the partition": violating},
                   fmt)


@cli.command()
@click.option("--issue", metavar="ISSUE", help="cluster on positions on this issue only")
@click.option("--method", type=click.Choice(("s_score", "share", "kappa")), default="s_score",
              show_default=True, help="agreement score")
@click.option("--resolution", type=float, default=1.0, show_default=True,
              help="Louvain resolution (lower: fewer, larger communities)")
@click.option("--seed", type=int, default=0, show_default=True, help="Louvain seed")
@click.option("--min-common", type=int, default=1, show_default=True,
              help="items two states must share for an agreement score")
@click.option("--matrix", is_flag=True, help="also print the agreement matrix")
@as_of_option
@format_option(("table", "csv", "json"))
@store_option()
def clusters(store, issue, method, resolution, seed, min_common, matrix, as_of, fmt):
    """Alignment clusters: agreement between states, communities, camps and swing states.

    \b
    Example:
      stancegraph clusters --issue "human rights" --method s_score
    """
    from graph.analysis.run import run_clusters

    result = run_clusters(store, issue=issue, method=method, resolution=resolution, seed=seed,
                          as_of=as_of, min_common=min_common, dendrogram=False)
    rows = [{"state": actor, **{k: v for k, v in row.items()}}
            for actor, row in result.actors.round(4).to_dict("index").items()]
    sections = {
        "states": rows,
        "communities": [{"community": i, "states": ", ".join(sorted(c))}
                        for i, c in enumerate(result.communities)],
        "camps": [{"camp": i, "states": ", ".join(b)}
                  for i, b in enumerate(result.camps.blocks)] if result.camps else [],
        "swing states": [{"state": a} for a in result.swing],
    }
    if matrix:
        agreement = result.report.agreement.round(3)
        sections["agreement"] = [{"state": a, **row}
                                 for a, row in agreement.to_dict("index").items()]
    _emit_sections(sections, fmt)


@cli.command()
@click.argument("code")
@as_of_option
@format_option(("table", "csv", "json"))
@store_option()
def actor(store, code, as_of, fmt):
    """Profile of one actor: positions, allies, rivals and coordination gaps, with evidence.

    \b
    Example:
      stancegraph actor KOR
    """
    from graph.analysis.run import actor_profile

    profile = actor_profile(store, code, as_of=as_of)
    header = {"code": profile.code, "label": profile.label, "type": profile.kind}
    gap_summary = [{k: v for k, v in g.items() if k not in ("evidence_a", "evidence_b")}
                   for g in profile.gaps]
    _emit_sections({"actor": header, "positions": profile.positions, "allies": profile.allies,
                    "rivals": profile.rivals,
                    "gaps": gap_summary if fmt != "json" else profile.gaps},
                   fmt)

# ------------------------------------------------------------------------------ import
# (import KIND PATH...: issue 6)

IMPORT_KINDS = ("unvotes", "un-sponsors", "events", "alliances", "rivalries", "csv")


@cli.command("import")
@click.argument("kind", type=click.Choice(IMPORT_KINDS))
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--on-error", type=click.Choice(("skip", "fail")), default="skip",
              show_default=True,
              help="skip: report bad rows and import the rest; fail: stop at the first bad row "
                   "and write nothing")
@click.option("--max-problems", type=click.IntRange(min=0), default=20, show_default=True,
              help="bad rows to list per file (all are counted)")
@click.option("--quiet", is_flag=True, help="no progress display")
@store_option(read_only=False)
def import_data(store, kind, paths, on_error, max_problems, quiet):
    """Import a dataset into its own named graph (import/KIND/FILE), replacing the last import.

    \b
    KIND and PATH:
      unvotes      the folder of un_votes.csv, un_roll_calls.csv, un_roll_call_issues.csv
                   (or those files)
      un-sponsors  UN Digital Library MARCXML files of draft resolutions (or their folder)
      events       GDELT 1.0 / 2.0 event files (tab-separated, no header)
      alliances    cow_alliance.csv (cow_states.csv is taken from its folder) or the folder
      rivalries    td_rivalries.csv (likewise) or the folder
      csv          spreadsheets of hand-coded claims (see the README for the columns)

    Bad rows are reported as FILE:LINE: field: message. Importing the same file again gives
    the same graph; nothing else in the store changes.

    \b
    Example:
      stancegraph import unvotes ../shared/data/unvotes/
      stancegraph import alliances ../shared/data/ir_actors/cow_alliance.csv
    """
    from graph.sources.runner import format_report, progress_bar, run_import

    with progress_bar(enabled=not quiet) as progress:
        reports = run_import(store, kind, list(paths), on_error=on_error, progress=progress)
    for report in reports:
        summary, problems = format_report(report, max_problems=max_problems)
        for line in problems:
            click.echo(line, err=True)
        click.echo("\n".join(summary))

# ------------------------------------------------------------------------------ render
# (render: issue 4)

@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("build/stancegraph.html"), show_default=True,
              help="the HTML file to write")
@click.option("--view", type=click.Choice(("claims", "states", "gaps")), default="claims",
              show_default=True,
              help="claims: every actor and target; states: the signed state graph; "
                   "gaps: allies and their coordination gaps")
@click.option("--color", type=click.Choice(("type", "clusters")), default="type",
              show_default=True, help="colour nodes by class or by alignment cluster")
@click.option("--focus", metavar="CODE", help="show one actor's neighbourhood")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
              help="hops around --focus")
@click.option("--relation", "relation_names", multiple=True, metavar="R",
              help="keep edges with a claim of this relation (repeatable)")
@click.option("--actor-type", "actor_types", multiple=True, metavar="T",
              help="keep nodes of this type: state, person, government, organisation, media, "
                   "issue, resolution, event (repeatable)")
@click.option("--source", metavar="S", help="keep claims from this source (id or title)")
@click.option("--as-of", metavar="DATE", help="keep claims valid on DATE (YYYY-MM-DD)")
@click.option("--node-budget", type=click.IntRange(min=1), default=500, show_default=True,
              help="above this many nodes, aggregate to states and keep the strongest edges")
@click.option("--title", help="the page's title")
@store_option()
def render(store, output, view, color, focus, depth, relation_names, actor_types, source,
           as_of, node_budget, title):
    """Write the graph as one self-contained interactive HTML page (works offline).

    The page has a legend, a search box, filters by relation, node type, source and date,
    and tooltips with the evidence behind every edge. Prints the path written.

    \b
    Example:
      stancegraph render --view states --color clusters -o build/states.html
      stancegraph render --focus KOR --depth 2 --relation opposes --relation criticizes
    """
    from graph.explorer.render import render as run_render

    report = run_render(
        store, output, view=view, color=color, focus=focus, depth=depth,
        relations=relation_names or None, actor_types=actor_types or None, source=source,
        as_of=as_of, node_budget=node_budget, title=title,
    )
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"{report.nodes} nodes, {report.edges} edges", err=True)
    click.echo(str(report.path))

# ------------------------------------------------------------------------------ serve

def _setting(name):
    """A default from the settings table (graph/settings.py)."""
    from graph.settings import SETTINGS

    return SETTINGS[name].default


def _origins(ctx, param, values):
    from graph.server.app import check_origin

    try:
        return tuple(check_origin(value) for value in values)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc


@cli.command()
@click.option("--store", "store_uri", envvar="STANCEGRAPH_STORE", metavar="URI",
              help="oxigraph:PATH (opened read-only), or memory: to serve the bundled seed")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="interface to bind; anything but loopback exposes the server to the network")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--timeout", type=click.FloatRange(0, 3600, min_open=True),
              default=_setting("query_timeout"), show_default=True,
              help="seconds a query may run before it is cut off (503)")
@click.option("--max-results", type=click.IntRange(min=1), default=_setting("max_results"),
              show_default=True, help="rows or triples a query may return (503 past it)")
@click.option("--max-query-bytes", type=click.IntRange(min=1),
              default=_setting("max_query_bytes"), show_default=True,
              help="size limit of a query (413 past it)")
@click.option("--workers", type=click.IntRange(1, 64),
              help="query worker processes [default: 2 to 4 by CPU count]")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              callback=_origins,
              help="allow this origin (scheme://host[:port]) to read responses; repeatable; "
              "no CORS unless given")
def serve(store_uri, host, port, timeout, max_results, max_query_bytes, workers, cors_origins):
    """Serve a read-only SPARQL 1.1 endpoint (/sparql), the explorer (/) and a query page (/query).

    Updates, SERVICE, FROM and LOAD are refused; each query runs in a worker process that is
    replaced when the query passes --timeout.

    \b
    Example:
      stancegraph serve --port 8000 --timeout 5
    """
    from graph.server.app import create_app, redact, run
    from graph.settings import store_uri as resolve

    uri = resolve(store_uri)
    app = create_app(uri, query_timeout=timeout, max_results=max_results,
                     max_query_bytes=max_query_bytes, workers=workers, cors_origins=cors_origins)
    base = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    click.echo(f"stancegraph: serving {redact(uri)}: endpoint {base}/sparql, explorer {base}/, "
               f"query page {base}/query", err=True)
    run(app, host=host, port=port)


def main():
    """Console-script entry point."""
    cli(prog_name="stancegraph")


if __name__ == "__main__":
    main()
