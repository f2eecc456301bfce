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
from graph.workbench.cli import COMMANDS as _workbench_commands

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
TABLE_FORMATS = ("table", "csv", "tsv", "json")
#: ``query --format``: both spellings of each RDF format (graph.output.normalise_format).
QUERY_FORMATS = ("table", "csv", "tsv", "json", "ttl", "nt", "turtle", "ntriples", "jsonld",
                 "json-ld")
#: ``query --timeout`` default, in seconds: a query on the whole UN record may take a minute.
QUERY_TIMEOUT = 300.0


class Group(click.Group):
    """Turns the library's exceptions into one clear ``Error: ...`` and a non-zero exit."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ValidationError as exc:
            from graph.output import printable

            # Messages quote the data: no control character reaches the terminal raw.
            for problem in exc.problems:
                click.echo(f"Error: {printable(problem)}", err=True)
            raise click.ClickException(str(exc).splitlines()[0]) from exc
        except StanceGraphError as exc:
            from graph.output import printable

            raise click.ClickException(printable(str(exc))) from exc


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


def _as_of(ctx, param, value):
    """Every ``--as-of`` is checked where it enters, by the one date parser (graph.dates)."""
    from graph.dates import as_of_callback

    return as_of_callback(ctx, param, value)


def decay_options(what: str = ""):
    """``--half-life`` and ``--horizon`` (docs/TIME.md) for a command that takes ``--as-of``
    on its own terms (render, export); ``what`` starts their help (issue 11)."""
    def decorator(func):
        func = click.option("--horizon", metavar="DURATION",
                            callback=lambda c, p, v: _duration(c, p, v),
                            help=f"{what}acts older than this no longer count (days or 8y, "
                                 "96m; default 8y)")(func)
        return click.option("--half-life", metavar="DURATION",
                            callback=lambda c, p, v: _duration(c, p, v),
                            help=f"{what}an act's weight halves every DURATION (days or 2y, "
                                 "18m; default 2y)")(func)

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
@click.option("--allow-empty", is_flag=True,
              help="build even from a folder with no .ttl file, or from no file at all "
              "(drops the claims built from files before)")
@store_option(read_only=False)
def build(store, paths, no_bundled, texts, allow_empty):
    """Validate the vocabulary and data files, derive edges and roll-ups, write the store.

    Nothing is written unless every file is valid; rebuilding gives the same store.

    \b
    Example:
      stancegraph build my-sources/ --texts ../shared/seeds
    """
    from graph.build import build as run_build

    if sys.stderr.isatty():
        from rich.console import Console

        with Console(stderr=True).status("building") as status:
            report = run_build(store, paths, bundled=not no_bundled, texts=texts,
                               progress=lambda message: status.update(message),
                               allow_empty=allow_empty)
    else:  # no one to show a spinner to (a script, a pipe): skip rich's import and its thread
        report = run_build(store, paths, bundled=not no_bundled, texts=texts,
                           allow_empty=allow_empty)
    click.echo(
        f"built {report.store}: {len(report.files)} files, {report.claims} claims "
        f"({report.derived_claims} derived), {report.triples} triples"
        + (f"; evidence checked against {report.texts_checked} source text(s)"
           if report.texts_checked else "")
    )


# ------------------------------------------------------------------------------ query

@cli.command()
@click.argument("query", required=False)
@click.option("--file", "query_file",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="read the query from a file (UTF-8)")
@click.option("--list", "list_queries", is_flag=True, help="list the named queries")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="bind a query variable (repeatable)")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default="table",
              show_default=True,
              help="SELECT: table/csv/tsv/json (W3C); CONSTRUCT: ttl/nt/json (JSON-LD); "
                   "turtle, ntriples, jsonld and json-ld are accepted too. csv cells starting "
                   "with = + - @ get a leading ' (spreadsheet formula injection)")
@click.option("--timeout", type=click.FloatRange(min=0), default=QUERY_TIMEOUT,
              show_default=True, help="seconds the query may run (0: no limit); Ctrl-C stops "
                                     "it at once")
@store_option()
def query(store, query, query_file, list_queries, params, fmt, timeout):
    """Run SPARQL: a named query, a query string, or --file.

    QUERY is a named query (see --list) or SPARQL text. Parameters are bound as RDF terms,
    never pasted into the text. Updates, SERVICE, FROM and LOAD are refused.

    \b
    Example:
      stancegraph query actor-stances --param actor=KOR
      stancegraph query 'SELECT ?s WHERE { ?s a sg:State }' --format csv
    """
    from graph.deadline import call_with_deadline
    from graph.output import normalise_format, write_result
    from graph.store.query import named_queries, parse_params, run_query

    fmt = normalise_format(fmt)

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
        from graph.sources.turtle import read_text

        text, declared = read_text(query_file, what="a query"), ()
    elif query is None:
        raise click.UsageError("give a named query, SPARQL text, --file or --list")
    elif query in named_queries():
        named = named_queries()[query]
        text, declared = named.text, named.parameters
    else:
        text, declared = query, ()
    bound = parse_params(params)

    def evaluate():
        result = run_query(store, text, bound, declared)
        if result.type == "SELECT":
            result.bindings  # noqa: B018 -- rdflib evaluates lazily: do it within the limit
        return result

    try:
        result = call_with_deadline(evaluate, timeout)
    except KeyboardInterrupt:
        click.echo("Error: interrupted: the query was stopped", err=True)
        raise SystemExit(130) from None  # the shell's code for SIGINT
    write_result(result, fmt, sys.stdout)


# ------------------------------------------------------------------------------ export

@cli.command()
@click.argument("fmt", metavar="FORMAT",
                type=click.Choice(("turtle", "nt", "trig", "nquads", "jsonld", "graphml", "gexf",
                                   "csv", "ttl", "ntriples", "json-ld", "json"),
                                  case_sensitive=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="write to this file (default: standard output)")
@click.option("--as-of", metavar="DATE", callback=_as_of,
              help="graph formats: only claims valid on DATE")
@decay_options("graph formats: ")
@store_option()
def export(store, fmt, output, as_of, half_life, horizon):
    """Export the dataset (turtle, nt, trig, nquads, jsonld) or the state graph (graphml, gexf).

    ttl, ntriples, json-ld and json are accepted for turtle, nt and jsonld. csv is the
    spreadsheet layout of hand coding; cells starting with = + - @ get a leading ' so that a
    spreadsheet does not run them as formulas (import csv removes it). -o replaces a regular
    file atomically, writes into a pipe or device, and refuses a symbolic link.

    \b
    Example:
      stancegraph export gexf -o stances.gexf
    """
    from graph.export import export as run_export

    data = run_export(store, fmt, output, as_of=as_of, half_life=half_life, horizon=horizon)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        click.echo(f"wrote {output} ({len(data)} bytes)", err=True)


# ------------------------------------------------------------------------------ analysis
# (gaps, balance, clusters, actor: issue 3)

def _emit_sections(sections: dict, fmt: str):
    """Print named tables: one JSON object for json, titled tables for the other formats."""
    from graph.output import printable, rows_to_text, to_json

    if fmt == "json":
        click.echo(to_json(sections))
        return
    for title, rows in sections.items():
        if not isinstance(rows, list):
            rows = [rows] if isinstance(rows, dict) else [{"value": rows}]
        if fmt == "table":
            click.echo(f"\n{printable(title)}")
        else:
            click.echo(f"# {printable(title)}")
        click.echo(rows_to_text(rows, fmt), nl=False)


def _duration(ctx, param, value):
    """``--half-life`` / ``--horizon``: days or Ny/Nm/Nd, checked where they enter (issue 11)."""
    if value is None:
        return None
    from graph.analysis.temporal import parse_duration

    return parse_duration(value, what=param.opts[0])


def _compare_dates(ctx, param, value):
    """``gaps --compare D1 D2``: both dates checked where they enter (issue 11)."""
    if not value:
        return None
    from graph.dates import parse_date

    return tuple(parse_date(v, what="--compare") for v in value)


def as_of_option(func):
    """``--as-of`` (default: the newest date in the store), ``--half-life`` and ``--horizon``:
    the one definition of what a claim says at a date, docs/TIME.md (issue 11)."""
    func = click.option("--horizon", metavar="DURATION", callback=_duration,
                        help="acts older than this no longer count (days or 8y, 96m; "
                             "default 8y)")(func)
    func = click.option("--half-life", metavar="DURATION", callback=_duration,
                        help="an act's weight halves every DURATION (days or 2y, 18m; "
                             "default 2y)")(func)
    return click.option("--as-of", metavar="DATE", callback=_as_of,
                        help="what the claims say on DATE, YYYY-MM-DD (default: the newest "
                             "date in the store; docs/TIME.md)")(func)


@cli.command()
@click.option("--actor", metavar="CODE", help="only pairs with this state (ISO code)")
@click.option("--issue", metavar="ISSUE",
              help="only this issue (code or label) and issues under it")
@click.option("--min-score", type=float, default=0.0, show_default=True,
              help="leave out gaps scoring below this")
@click.option("--limit", type=int, default=20, show_default=True, help="rows to show (0: all)")
@click.option("--compare", nargs=2, metavar="D1 D2", callback=_compare_dates,
              help="gaps that opened, closed, widened or narrowed from D1 to D2, with the "
                   "claims responsible")
@as_of_option
@format_option(("table", "csv", "json"))
@store_option()
def gaps(store, actor, issue, min_score, limit, compare, as_of, half_life, horizon, fmt):
    """Coordination gaps: where allied states take different positions, ranked.

    score = |position_a - position_b| / 2 x salience of the issue; each row carries both
    sides' evidence and sources.

    \b
    Example:
      stancegraph gaps --actor KOR --as-of 2021-03-27
      stancegraph gaps --actor KOR --compare 2021-06-01 2023-12-31
    """
    from graph.analysis.run import gap_rows, run_gaps

    if compare:
        from graph.analysis.timeline import compare_gaps

        if as_of is not None:
            raise click.UsageError("--compare D1 D2 gives the dates: leave out --as-of")
        frame = compare_gaps(store, *compare, actor=actor, issue=issue, half_life=half_life,
                             horizon=horizon)
        rows = frame.head(limit or None).to_dict("records")
        if fmt != "json":
            for row in rows:
                row["claims"] = " | ".join(row["claims"])
        if fmt == "json":
            _emit_sections({"changes": rows}, "json")
        else:
            echo_rows(rows, fmt)
        return

    found = run_gaps(store, actor=actor, issue=issue, min_score=min_score, as_of=as_of,
                     half_life=half_life, horizon=horizon)
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
def balance(store, k, method, as_of, half_life, horizon, fmt):
    """Structural balance of the state graph: triads, frustration index, balanced partition.

    \b
    Example:
      stancegraph balance -k 3 --format json
    """
    from graph.analysis.run import run_balance

    report = run_balance(store, k=k, method=method, as_of=as_of, half_life=half_life,
                         horizon=horizon)
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
    # Balance is computed on states only: say which other ties that leaves out (issue 14).
    other = getattr(report, "other_ties", None) or {}
    summary["scope"] = "states (others via roll-up)"
    summary["other_ties_rolled_up"] = other.get("rolled_up", 0)
    summary["other_ties_left_out"] = other.get("left_out", 0)
    if other.get("left_out"):
        summary["left_out_examples"] = "; ".join(other.get("examples", []))
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
@click.option("--from", "start", metavar="DATE",
              help="only roll calls from DATE (YYYY-MM-DD or YYYY) on, each vote once")
@click.option("--to", "end", metavar="DATE", help="only roll calls up to DATE (inclusive)")
@as_of_option
@format_option(("table", "csv", "json"))
@store_option()
def clusters(store, issue, method, resolution, seed, min_common, matrix, start, end, as_of,
             half_life, horizon, fmt):
    """Alignment clusters: agreement between states, communities, camps and swing states.

    \b
    Example:
      stancegraph clusters --issue "human rights" --method s_score
      stancegraph clusters --issue "human rights" --from 2008 --to 2019
    """
    from graph.analysis.groups import cluster_evidence, groups
    from graph.analysis.run import run_clusters

    result = run_clusters(store, issue=issue, method=method, resolution=resolution, seed=seed,
                          as_of=as_of, min_common=min_common, dendrogram=False,
                          start=start, end=end, half_life=half_life, horizon=horizon)
    rows = [{"state": actor, **{k: v for k, v in row.items()}}
            for actor, row in result.actors.round(4).to_dict("index").items()]
    # Numbers and names shared with the explorer's legend (graph.analysis.groups).
    sections = {
        "states": rows,
        "communities": [{"community": g.number, "states": ", ".join(g.members)}
                        for g in groups(result, "communities")],
        "camps": [{"camp": g.number, "states": ", ".join(g.members)}
                  for g in groups(result, "camps")],
        "evidence": [cluster_evidence(result).row()],
        "swing states": [{"state": a} for a in result.swing],
        "camp split": [result.camps.quality()] if result.camps else [],
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
def actor(store, code, as_of, half_life, horizon, fmt):
    """Profile of one actor: positions, allies, rivals and coordination gaps, with evidence.

    \b
    Example:
      stancegraph actor KOR
    """
    from graph.analysis.run import actor_profile

    profile = actor_profile(store, code, as_of=as_of, half_life=half_life, horizon=horizon)
    header = {"code": profile.code, "label": profile.label, "type": profile.kind}
    gap_summary = [{k: v for k, v in g.items() if k not in ("evidence_a", "evidence_b")}
                   for g in profile.gaps]
    _emit_sections({"actor": header, "positions": profile.positions, "allies": profile.allies,
                    "rivals": profile.rivals,
                    "gaps": gap_summary if fmt != "json" else profile.gaps},
                   fmt)

# ------------------------------------------------------------------------------ timeline
# (timeline ACTOR: issue 11)

@cli.command()
@click.argument("actor_code", metavar="ACTOR")
@click.option("--with", "other", metavar="OTHER", help="also the other actor: distance and "
              "agreement per period")
@click.option("--issue", metavar="ISSUE", help="one issue (code or label) and issues under it")
@click.option("--from", "start", metavar="DATE", help="first period (default: the first claim)")
@click.option("--to", "end", metavar="DATE", help="last day (default: the newest date in the "
              "store)")
@click.option("--step", type=click.Choice(("year", "month")), default="year", show_default=True)
@click.option("--half-life", metavar="DURATION", callback=_duration,
              help="an act's weight halves every DURATION (days or 2y, 18m; default 2y)")
@click.option("--horizon", metavar="DURATION", callback=_duration,
              help="acts older than this no longer count (default 8y)")
@format_option(("table", "csv", "json"))
@store_option()
def timeline(store, actor_code, other, issue, start, end, step, half_life, horizon, fmt):
    """An actor's position per issue per period, each change tied to its claims (docs/TIME.md).

    
    Example:
      stancegraph timeline KOR --with USA --issue "DPRK human rights" --from 2018-01-01
    """
    from graph.analysis.timeline import timeline as run_timeline
    from graph.dates import parse_date

    start = parse_date(start, what="--from") if start is not None else None
    end = parse_date(end, what="--to") if end is not None else None
    found = run_timeline(store, actor_code, other=other, issue=issue, start=start, end=end,
                         step=step, half_life=half_life, horizon=horizon)
    rows = found.rows.round(4).astype(object).where(found.rows.notna(), None).to_dict("records")
    if fmt == "json":
        changes = found.changes.to_dict("records")
        _emit_sections({"timeline": rows, "changes": changes}, "json")
    elif fmt == "table":
        columns = ["period", "issue_label", "position"] + (
            ["other_position", "distance", "agreement"] if other else []) + ["changes"]
        echo_rows(rows, fmt, columns)
    else:
        echo_rows(rows, fmt)


# ------------------------------------------------------------------------------ votes
# (alignment, idealpoints, changepoints over the roll calls: issue 12)

def _period_options(func):
    """``--by``, ``--from``, ``--to`` and ``--issue`` of the roll-call commands."""
    func = click.option("--issue", metavar="ISSUE",
                        help="only roll calls on this issue (code or label) or one under it")(func)
    func = click.option("--to", "end", type=int, metavar="N",
                        help="last session (or year, with --by year)")(func)
    func = click.option("--from", "start", type=int, metavar="N",
                        help="first session (or year, with --by year)")(func)
    return click.option("--by", type=click.Choice(("session", "year")), default="session",
                        show_default=True, help="period")(func)


def _rounded(frame, digits=4):
    return [{k: (round(v, digits) if isinstance(v, float) else v) for k, v in row.items()}
            for row in frame.to_dict("records")]


@cli.command()
@click.argument("actor")
@click.option("--with", "others", multiple=True, required=True, metavar="CODE",
              help="the other state (repeatable)")
@_period_options
@format_option(("table", "csv", "json"))
@store_option()
def alignment(store, actor, others, by, start, end, issue, fmt):
    """Agreement of a state with others per session or year, from the roll-call votes.

    Per period: roll calls held, those both voted on, each side's absences (left out of the
    measures), the share of identical votes, the S score and Cohen's kappa.

    \b
    Example:
      stancegraph alignment USA --with KOR --with JPN --by year --from 1991
    """
    from graph.analysis.votes import alignment as run_alignment
    from graph.analysis.votes import read_votes

    table = read_votes(store, issue=issue)
    frame = run_alignment(table, actor.upper(), [o.upper() for o in others], by=by,
                          start=start, end=end)
    echo_rows(_rounded(frame), fmt)


@cli.command()
@click.option("--session", type=int, metavar="N", help="show this session only")
@click.option("--year", type=int, metavar="Y", help="ideal points per year; show this year only")
@click.option("--actor", "actors", multiple=True, metavar="CODE",
              help="show this state only (repeatable)")
@click.option("--issue", metavar="ISSUE", help="only roll calls on this issue or one under it")
@format_option(("table", "csv", "json"))
@store_option()
def idealpoints(store, session, year, actors, issue, fmt):
    """One-dimensional ideal points of states per session (or year) from the roll calls.

    A dynamic ordered-logit model fitted to the whole record at once, so that sessions are
    comparable; the United States is positive; ``se`` is each estimate's posterior standard
    deviation with the roll-call parameters fixed.

    \b
    Example:
      stancegraph idealpoints --session 70
      stancegraph idealpoints --actor KOR --actor PRK --format csv
    """
    from graph.analysis.votes import idealpoints as run_idealpoints
    from graph.analysis.votes import read_votes

    if session is not None and year is not None:
        raise click.UsageError("give --session or --year, not both")
    by = "year" if year is not None else "session"
    fit = run_idealpoints(read_votes(store, issue=issue), by=by)
    points = fit.points
    if session is not None or year is not None:
        wanted = session if session is not None else year
        points = points[points[by] == wanted]
        if points.empty:
            raise click.ClickException(f"no ideal points for {by} {wanted}")
    if actors:
        points = points[points["actor"].isin([a.upper() for a in actors])]
    points = points.rename(columns={"actor": "state"}).sort_values(
        [by, "ideal"], ascending=[True, False], kind="stable")
    echo_rows(_rounded(points), fmt)


@cli.command()
@click.argument("actor")
@click.option("--with", "other", metavar="CODE",
              help="the pair's agreement (default: the state's ideal point)")
@click.option("--measure", type=click.Choice(("s_score", "share", "kappa")), default="s_score",
              show_default=True, help="agreement measure of a pair")
@click.option("--by", type=click.Choice(("session", "year")), default="session",
              show_default=True, help="period")
@click.option("--scale", type=click.FloatRange(min=0, min_open=True), default=4.0,
              show_default=True,
              help="penalty per change = SCALE x noise variance x log(periods)")
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True,
              help="roll calls listed per change")
@click.option("--issue", metavar="ISSUE", help="only roll calls on this issue or one under it")
@format_option(("table", "csv", "json"))
@store_option()
def changepoints(store, actor, other, measure, by, scale, top, issue, fmt):
    """Change points in a pair's agreement or a state's ideal point, with the roll calls
    that moved most across each (PELT, penalty scaled to the series' noise).

    \b
    Example:
      stancegraph changepoints USA --with KOR --by year
      stancegraph changepoints RUS
    """
    from graph.analysis.votes import changepoints as run_changepoints
    from graph.analysis.votes import read_votes

    table = read_votes(store, issue=issue)
    series, changes = run_changepoints(table, actor.upper(),
                                       other.upper() if other else None, by=by,
                                       measure=measure, scale=scale, top=top)
    found = [{"change": k, "from": c.previous, "to": c.period, "before": c.before,
              "after": c.after, "shift": c.shift} for k, (c, _) in enumerate(changes)]
    moved = [{"change": k, **row} for k, (_, table) in enumerate(changes)
             for row in table.to_dict("records")]
    _emit_sections({"change points": _rounded(_frame(found)),
                    "roll calls that moved most": _rounded(_frame(moved)),
                    "series": [{by: int(p), series.name: round(float(v), 4)}
                               for p, v in series.items()]}, fmt)


def _frame(rows):
    import pandas as pd

    return pd.DataFrame.from_records(rows)

# ------------------------------------------------------------------------------ import
# (import KIND PATH...: issue 6)

IMPORT_KINDS = ("unvotes", "un-sponsors", "events", "alliances", "rivalries", "csv", "leaders")


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
@click.option("--texts", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="csv: folder of source texts to check evidence offsets against, as build "
                   "does (repeatable)")
@store_option(read_only=False)
def import_data(store, kind, paths, on_error, max_problems, quiet, texts):
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
    from graph.analysis.prepare import prepare
    from graph.output import printable
    from graph.sources.runner import format_report, progress_bar, run_import

    if texts and kind != "csv":
        raise click.UsageError("--texts checks the evidence of spreadsheet claims: use it with "
                               "'import csv'")
    with progress_bar(enabled=not quiet) as progress:
        reports = run_import(store, kind, list(paths), on_error=on_error, progress=progress,
                             texts=texts)
    # The whole-store counts every analysis starts from are made now, once per import.
    prepare(store)
    for report in reports:
        summary, problems = format_report(report, max_problems=max_problems)
        # Problem lines quote the bad cells: no control character reaches the terminal raw.
        for line in problems:
            click.echo(printable(line), err=True)
        click.echo(printable("\n".join(summary)))

# ------------------------------------------------------------------------------ render
# (render: issue 4)

@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("build/stancegraph.html"), show_default=True,
              help="the HTML file to write")
@click.option("--view", type=click.Choice(("claims", "states", "gaps", "votes")),
              default="claims", show_default=True,
              help="claims: every actor and target; states: the signed state graph; "
                   "gaps: allies and their coordination gaps; votes: agreement in roll calls "
                   "per session (--color camps or ideal)")
@click.option("--color", type=click.Choice(("type", "clusters", "camps", "communities",
                                            "ideal")),
              default="type", show_default=True,
              help="colour nodes by class; clusters (= camps): by camp with swing states "
                   "ringed, the page can switch to communities; communities: by community")
@click.option("--focus", metavar="CODE", help="show one actor's neighbourhood")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
              help="hops around --focus")
@click.option("--relation", "relation_names", multiple=True, metavar="R",
              help="keep edges with a claim of this relation (repeatable)")
@click.option("--actor-type", "actor_types", multiple=True, metavar="T",
              help="keep nodes of this type: state, person, government, organisation, media, "
                   "issue, resolution, event (repeatable)")
@click.option("--source", metavar="S", help="keep claims from this source (id or title)")
@click.option("--as-of", metavar="DATE", callback=_as_of,
              help="the page's first date (YYYY-MM-DD; default the newest date in the store); "
                   "its time slider moves from there")
@click.option("--node-budget", type=click.IntRange(min=1), default=500, show_default=True,
              help="above this many nodes, aggregate to states and keep the strongest edges")
@decay_options()
@click.option("--title", help="the page's title")
@store_option()
def render(store, output, view, color, focus, depth, relation_names, actor_types, source,
           as_of, half_life, horizon, node_budget, title):
    """Write the graph as one self-contained interactive HTML page (works offline).

    The page has a legend, a search box, filters by relation, node type and source, a time
    slider (which edges and gaps hold at a date, docs/TIME.md; the URL keeps the date as
    #as_of=YYYY-MM-DD), and tooltips with the evidence behind every edge. Prints the path
    written.

    \b
    Example:
      stancegraph render --view states --color clusters -o build/states.html
      stancegraph render --view votes -o build/votes.html
      stancegraph render --focus KOR --depth 2 --relation opposes --relation criticizes
    """
    from graph.explorer.render import ViewOptions
    from graph.explorer.render import render as run_render

    options = ViewOptions(
        view=view, color=color, focus=focus, depth=depth, relations=relation_names or None,
        actor_types=actor_types or None, source=source, as_of=as_of, node_budget=node_budget,
        half_life=half_life, horizon=horizon,
    )
    report = run_render(store, output, options, title=title)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"{report.nodes} nodes, {report.edges} edges"
               + (f" as of {report.as_of}" if report.as_of else ""), err=True)
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
@click.option("--code-into", type=click.Path(file_okay=False, path_type=Path), default="coded",
              show_default=True, help="folder the coding page (/code) saves source files into")
def serve(store_uri, host, port, timeout, max_results, max_query_bytes, workers, cors_origins,
          code_into):
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
    from graph.workbench.server import Workbench

    app = create_app(uri, query_timeout=timeout, max_results=max_results,
                     max_query_bytes=max_query_bytes, workers=workers, cors_origins=cors_origins,
                     workbench=Workbench(uri, code_into))
    base = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    # announced once the port is bound (run binds first), never before a bind error
    run(app, host=host, port=port, on_listening=lambda: click.echo(
        f"stancegraph: serving {redact(uri)}: endpoint {base}/sparql, explorer {base}/, "
        f"query page {base}/query, coding page {base}/code", err=True))


# ------------------------------------------------------------------------------ coding (issue 13)
# propose, code, agreement: graph/workbench/cli.py (click glue over graph.workbench.commands).
for _command in _workbench_commands:
    cli.add_command(_command)


def main():
    """Console-script entry point (``stancegraph`` and ``python -m graph``)."""
    import gc

    # A command makes many objects that live as long as it runs (rdflib's and pySHACL's
    # modules, the triples of a build, a server's store): with the default threshold (700
    # allocations) the cyclic collector ran 125 young, 12 middle and one full collection
    # during `build` on the seed, ~30 ms of its 0.4 s (issue 15). At 10,000 allocations it
    # runs a tenth as often. Objects outside reference cycles are still freed as soon as they
    # are dropped; only cyclic garbage waits longer (a 150,000-vote import peaked at the same
    # memory either way).
    gc.set_threshold(10_000, 10, 10)
    try:
        cli(prog_name="stancegraph")
    except SystemExit as done:
        if done.code in (0, None):
            # A clean end: the command has closed its store and files. At shutdown the
            # collector would walk every object still alive (after a build ~70,000: ~40 ms);
            # frozen ones it skips. After an error nothing is frozen, so that what a failed
            # command left in reference cycles (a traceback holding a temporary file) is
            # still collected and cleaned up.
            gc.freeze()
        raise


if __name__ == "__main__":
    main()
