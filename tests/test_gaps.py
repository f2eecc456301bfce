"""Tests for graph.algorithms.gaps: salience and coordination gaps between allies."""

import doctest
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.algorithms import gaps as gaps_module
from graph.algorithms.gaps import (
    EvidenceRow,
    Gap,
    coordination_gaps,
    gaps_frame,
    issue_salience,
)

COLUMNS = ["actor", "actor_label", "issue", "issue_label", "position", "relation", "claim",
           "source", "source_title", "evidence", "date", "via"]


def positions(*rows):
    """Positions table from (actor, issue, position, claim, source[, via]) rows."""
    records = []
    for actor, issue, position, claim, source, *via in rows:
        relation = "supports" if position > 0 else "opposes" if position < 0 else "declined"
        records.append(
            {"actor": actor, "actor_label": f"{actor} label", "issue": issue,
             "issue_label": issue.upper(), "position": position, "relation": relation,
             "claim": claim, "source": source, "source_title": f"title {source}",
             "evidence": f"evidence {claim}", "date": "2021-03-23",
             "via": via[0] if via else ""}
        )
    return pd.DataFrame.from_records(records, columns=COLUMNS)


# A and B are allies; they split on X (A +1, B abstains) and agree on Y. C opposes A on Y
# but is no ally of anyone.
HAND = positions(
    ("A", "X", 1.0, "c1", "s1"),
    ("B", "X", 0.0, "c2", "s1"),
    ("A", "Y", 1.0, "c3", "s2"),
    ("B", "Y", 1.0, "c4", "s2"),
    ("C", "Y", -1.0, "c5", "s3"),
)
PAIRS = [("B", "A", "alignedWith claim:ab")]
# X: 2 claims, 1 source -> ln 3 + ln 2 = ln 6; Y: 3 claims, 2 sources -> ln 4 + ln 3 = ln 12.
SALIENCE_X = math.log(6) / math.log(12)


def row(claim, relation, position, source, via=""):
    return EvidenceRow(claim, relation, position, f"evidence {claim}", source,
                       f"title {source}", "2021-03-23", via)


def _floats(gap):
    return (gap.position_a, gap.position_b, gap.distance, gap.salience, gap.score)


def _without_floats(gap):
    import dataclasses

    return dataclasses.replace(gap, position_a=0, position_b=0, distance=0, salience=0, score=0)


def _assert_same_gaps(found, expected, ordered=True):
    """The same gaps, their computed floats compared with pytest.approx."""
    if not ordered:  # ties in score may sort either way when the last bit differs
        found = sorted(found, key=lambda g: (g.actor_a, g.actor_b, g.issue))
        expected = sorted(expected, key=lambda g: (g.actor_a, g.actor_b, g.issue))
    assert [_without_floats(g) for g in found] == [_without_floats(g) for g in expected]
    for got, want in zip(found, expected, strict=True):
        assert _floats(got) == pytest.approx(_floats(want))


def test_doctests():
    result = doctest.testmod(gaps_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_issue_salience_hand():
    table = issue_salience(HAND)
    assert list(table.index) == ["X", "Y"]
    assert list(table.columns) == ["issue_label", "n_claims", "n_sources", "n_actors",
                                   "salience"]
    assert table["issue_label"].tolist() == ["X", "Y"]
    assert table["n_claims"].tolist() == [2, 3]
    assert table["n_sources"].tolist() == [1, 2]
    assert table["n_actors"].tolist() == [2, 3]
    assert table["salience"].tolist() == pytest.approx([SALIENCE_X, 1.0], abs=1e-15)


def test_issue_salience_ignores_empty_sources_and_repeated_rows():
    table = issue_salience(positions(("A", "X", 1.0, "c1", ""), ("A", "X", 1.0, "c1", ""),
                                     ("B", "Z", 1.0, "c2", "s1")))
    assert table["n_claims"].tolist() == [1, 1]
    assert table["n_sources"].tolist() == [0, 1]
    assert table["salience"].tolist() == pytest.approx([math.log(2) / math.log(4), 1.0])
    assert issue_salience(positions()).empty


def test_gap_hand_example():
    found = coordination_gaps(HAND, PAIRS)
    assert [(g.pair, g.issue) for g in found] == [(("A", "B"), "X"), (("A", "B"), "Y")]
    x, y = found
    # Salience and score are computed (logarithms): compared with pytest.approx, since the
    # last bit differs between CPUs and maths libraries.
    assert _without_floats(x) == _without_floats(Gap(
        actor_a="A", actor_b="B", label_a="A label", label_b="B label",
        basis="alignedWith claim:ab", issue="X", issue_label="X", position_a=1.0,
        position_b=0.0, distance=0.5, salience=SALIENCE_X, score=0.5 * SALIENCE_X,
        evidence_a=(row("c1", "supports", 1.0, "s1"),),
        evidence_b=(row("c2", "declined", 0.0, "s1"),),
    ))
    assert _floats(x) == pytest.approx((1.0, 0.0, 0.5, SALIENCE_X, 0.5 * SALIENCE_X))
    assert x.score == pytest.approx(0.3605, abs=1e-4)
    assert _floats(y) == pytest.approx((1.0, 1.0, 0.0, 1.0, 0.0))
    assert y.evidence_a == (row("c3", "supports", 1.0, "s2"),)


def test_non_allies_produce_no_gaps():
    assert all(g.pair == ("A", "B") for g in coordination_gaps(HAND, PAIRS))
    assert coordination_gaps(HAND, []) == []
    # Allies without a common issue have nothing to compare.
    assert coordination_gaps(HAND, [("A", "D", "treaty")]) == []


def test_filters():
    pairs = PAIRS + [("C", "B", "trade")]
    assert {g.pair for g in coordination_gaps(HAND, pairs)} == {("A", "B"), ("B", "C")}
    assert [g.pair for g in coordination_gaps(HAND, pairs, actor="C")] == [("B", "C")]
    assert coordination_gaps(HAND, pairs, actor="D") == []
    assert [(g.pair, g.issue) for g in coordination_gaps(HAND, pairs, issue="X")] == [
        (("A", "B"), "X")
    ]
    assert [(g.pair, g.issue) for g in coordination_gaps(HAND, pairs, min_score=0.2)] == [
        (("B", "C"), "Y"), (("A", "B"), "X")
    ]
    assert coordination_gaps(HAND, pairs, min_score=1.0) == [
        g for g in coordination_gaps(HAND, pairs) if g.score >= 1.0
    ]


def test_issue_filter_follows_via():
    # Rows for the broader issue H propagated from X, and one direct claim on H by B.
    table = pd.concat([HAND, positions(("A", "H", 1.0, "c1", "s1", "X"),
                                       ("B", "H", 0.0, "c2", "s1", "X"),
                                       ("B", "H", -1.0, "c6", "s4"))], ignore_index=True)
    on_x = coordination_gaps(table, PAIRS, issue="X")
    assert [g.issue for g in on_x] == ["H", "X"]
    h = on_x[0]
    assert (h.position_a, h.position_b, h.distance) == pytest.approx((1.0, -0.5, 0.75))
    assert h.evidence_a == (row("c1", "supports", 1.0, "s1", "X"),)
    assert h.evidence_b == (row("c2", "declined", 0.0, "s1", "X"),
                            row("c6", "opposes", -1.0, "s4"))
    assert [g.issue for g in coordination_gaps(table, PAIRS, issue="H")] == ["H"]
    assert coordination_gaps(table, PAIRS, issue="Y")[0].issue == "Y"


def test_position_is_mean_of_distinct_claims():
    table = positions(("A", "X", 1.0, "c1", "s1"), ("A", "X", 0.0, "c2", "s1"),
                      ("A", "X", 0.0, "c2", "s1"), ("B", "X", -1.0, "c3", "s2"))
    [gap] = coordination_gaps(table, [("A", "B", "treaty")])
    assert (gap.position_a, gap.position_b, gap.distance, gap.score) == pytest.approx(
        (0.5, -1.0, 0.75, 0.75))
    assert [r.claim for r in gap.evidence_a] == ["c1", "c2"]


def test_repeated_pairs_merge_their_bases():
    pairs = [("A", "B", "alignedWith claim:2"), ("B", "A", "alignedWith claim:1"),
             ("A", "B", "alignedWith claim:2")]
    found = coordination_gaps(HAND, pairs)
    assert len(found) == 2
    assert {g.basis for g in found} == {"alignedWith claim:1; alignedWith claim:2"}


def test_minimal_columns_are_enough():
    table = HAND[["actor", "issue", "position", "claim", "source"]]
    [x, _] = coordination_gaps(table, PAIRS)
    assert (x.label_a, x.issue_label) == ("", "")
    assert x.score == pytest.approx(0.5 * SALIENCE_X)
    assert x.evidence_a == (EvidenceRow("c1", "", 1.0, "", "s1", "", "", ""),)


def test_errors():
    with pytest.raises(ValueError, match="positions is missing columns: claim, source"):
        coordination_gaps(HAND.drop(columns=["claim", "source"]), PAIRS)
    with pytest.raises(ValueError, match=r"positions.position must be numbers in \[-1, 1\]"):
        coordination_gaps(HAND.assign(position=[2.0, 0, 0, 0, 0]), PAIRS)
    with pytest.raises(ValueError, match=r"positions.position must be numbers in \[-1, 1\]"):
        issue_salience(HAND.assign(position=[None, 0, 0, 0, 0]))
    with pytest.raises(ValueError, match="allied pair joins 'A' to itself"):
        coordination_gaps(HAND, [("A", "A", "self")])
    with pytest.raises(ValueError, match=r"allied pairs must be \(actor_a, actor_b, basis\) "
                                         r"triples, got \('A', 'B'\)"):
        coordination_gaps(HAND, [("A", "B")])
    with pytest.raises(ValueError, match=r"min_score must be in \[0, 1\], got 1.5"):
        coordination_gaps(HAND, PAIRS, min_score=1.5)


def test_gaps_frame():
    frame = gaps_frame(coordination_gaps(HAND, PAIRS))
    assert list(frame.columns) == ["actor_a", "actor_b", "label_a", "label_b", "basis",
                                   "issue", "issue_label", "position_a", "position_b",
                                   "distance", "salience", "score", "evidence_a",
                                   "evidence_b"]
    assert frame["issue"].tolist() == ["X", "Y"]
    assert frame["score"].tolist() == pytest.approx([0.5 * SALIENCE_X, 0.0])
    assert frame.loc[0, "evidence_b"] == (row("c2", "declined", 0.0, "s1"),)
    empty = gaps_frame([])
    assert empty.empty and list(empty.columns) == list(frame.columns)


ACTORS = st.sampled_from(["A", "B", "C", "D"])
ROWS = st.lists(
    st.tuples(
        ACTORS,
        st.sampled_from(["x", "y", "z"]),
        st.sampled_from([-1.0, -0.5, 0.0, 0.5, 1.0]) | st.floats(-1, 1),
        st.sampled_from(["s1", "s2", "s3", ""]),
    ),
    max_size=14,
)
PAIR_LISTS = st.lists(
    st.tuples(ACTORS, ACTORS, st.sampled_from(["treaty", "alignedWith claim:1"])).filter(
        lambda p: p[0] != p[1]
    ),
    max_size=4,
)


def _table(rows):
    return positions(*[(a, i, p, f"claim:{k}", s) for k, (a, i, p, s) in enumerate(rows)])


@settings(max_examples=60, deadline=None)
@given(rows=ROWS, pairs=PAIR_LISTS)
def test_gaps_are_symmetric_in_the_pair(rows, pairs):
    table = _table(rows)
    forward = coordination_gaps(table, pairs)
    _assert_same_gaps(forward,
                      coordination_gaps(table, [(b, a, basis) for a, b, basis in pairs]))
    for gap in forward:
        assert gap.actor_a < gap.actor_b
        one = [(gap.actor_a, gap.actor_b, gap.basis)]
        other = [(gap.actor_b, gap.actor_a, gap.basis)]
        on_issue = {g.issue: g for g in coordination_gaps(table, one)}
        _assert_same_gaps([on_issue[gap.issue]],
                          [{g.issue: g for g in coordination_gaps(table, other)}[gap.issue]])
        assert gap.distance == pytest.approx(abs(gap.position_a - gap.position_b) / 2)
        assert 0 <= gap.score <= gap.salience <= 1


@settings(max_examples=40, deadline=None)
@given(rows=ROWS, pairs=PAIR_LISTS, data=st.data())
def test_gaps_do_not_depend_on_row_order(rows, pairs, data):
    table = _table(rows)
    order = data.draw(st.permutations(range(len(table))))
    shuffled = table.iloc[list(order)]
    _assert_same_gaps(coordination_gaps(shuffled, pairs), coordination_gaps(table, pairs),
                      ordered=False)
    scores = [g.score for g in coordination_gaps(table, pairs)]
    assert scores == sorted(scores, reverse=True)


# ---------------------------------------------------------------------- on a store, at dates

#: Dates before the test alliances (COW, from 1953), and around the seed's claims (2021).
DATES = ["1950-06-25", "2019-03-22", "2021-03-27", "2023-12-31", "2029-12-31"]


@pytest.fixture(scope="module")
def allied_store():
    """The seed with the test fixture's COW alliances (tests/data/import/cow)."""
    from import_helpers import FIXTURES, seeded

    from graph.sources.runner import run_import

    store = seeded("oxigraph:memory")
    run_import(store, "alliances", [FIXTURES / "cow"])
    return store


@pytest.mark.parametrize("issue", [None, "DPRK human rights"], ids=["direct", "one-issue"])
@pytest.mark.parametrize("actor", [None, "KOR"], ids=["every-pair", "one-actor"])
def test_gaps_at_dates_are_run_gaps_at_each_date(allied_store, actor, issue):
    """gaps --compare's reading (what the dates share read once) finds what run_gaps finds
    at each date on its own, and reads the claims the comparison explains the gaps with."""
    from graph.analysis.gaps import gaps_at_dates, run_gaps
    from graph.analysis.project import positions, state_iris

    dated = gaps_at_dates(allied_store, DATES, actor=actor, issue=issue)
    assert [d.context.clock.as_of for d in dated] == DATES
    assert dated[0].gaps == []  # no alliance yet: the states read are those of later dates
    found_any = False
    for day, at in zip(DATES, dated, strict=True):
        alone = run_gaps(allied_store, actor=actor, issue=issue, as_of=day)
        _assert_same_gaps(at.gaps, alone)
        found_any |= bool(alone)
    assert found_any
    # The positions hold, at each date, what graph.analysis.timeline.compare_gaps reads a
    # second time for the states of the gaps found at either date.
    members = sorted({a for d in dated for g in d.gaps for a in g.pair})
    iris = state_iris(allied_store)
    keys = ["actor", "issue", "claim"]
    for day, at in zip(DATES, dated, strict=True):
        read = positions(allied_store, actors=[iris[m] for m in members], as_of=day,
                         propagate=issue is not None, keep_inactive=True)
        ours = at.positions[at.positions["actor"].isin(members)]
        assert len(read) > 0
        pd.testing.assert_frame_equal(
            ours.drop_duplicates(keys).sort_values(keys).reset_index(drop=True),
            read.drop_duplicates(keys).sort_values(keys).reset_index(drop=True))


def test_gaps_at_no_date_are_none(allied_store):
    from graph.analysis.gaps import gaps_at_dates

    assert gaps_at_dates(allied_store, []) == []


def test_run_gaps_takes_the_allies_its_caller_read(allied_store):
    """allies_at gives actor_profile the pairs it reads the allies' claims with, and run_gaps
    takes them instead of asking the store again: the same gaps, in the profile too; allies
    found for another actor or date are refused."""
    from graph.analysis.gaps import allies_at, run_gaps
    from graph.analysis.project import allied_pairs, time_context

    context = time_context(allied_store, as_of="2021-03-27")
    allies = allies_at(allied_store, context, actor="KOR")
    assert allies.pairs == allied_pairs(allied_store, context=context)
    assert "KOR" in allies.members and "USA" in allies.members
    assert allies.members == {x for a, b, _ in allies.pairs if "KOR" in (a, b) for x in (a, b)}
    _assert_same_gaps(run_gaps(allied_store, actor="KOR", context=context, allies=allies),
                      run_gaps(allied_store, actor="KOR", context=context))
    everyone = allies_at(allied_store, context)
    assert everyone.actor is None and everyone.pairs == allies.pairs
    assert everyone.members == {x for a, b, _ in allies.pairs for x in (a, b)}
    with pytest.raises(ValueError, match="allies found for actor 'KOR', gaps asked for None"):
        run_gaps(allied_store, context=context, allies=allies)
    later = time_context(allied_store, as_of="2023-01-01")
    with pytest.raises(ValueError, match="allies found at 2021-03-27, gaps asked for at "
                                         "2023-01-01"):
        run_gaps(allied_store, actor="KOR", context=later, allies=allies)
    from graph.analysis.run import actor_profile, gap_rows

    profile = actor_profile(allied_store, "KOR", as_of="2021-03-27")
    assert profile.gaps == gap_rows(run_gaps(allied_store, actor="KOR", context=context))
