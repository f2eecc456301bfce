"""Per-period agreement (graph.algorithms.agreement) against the same numbers in pandas from the
CSV: on the bundled sample of the UN votes imported into a real store, and (slow) on the whole
record."""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from graph.algorithms import agreement as agreement_module
from graph.algorithms.agreement import period_agreement
from graph.analysis.votes import alignment, read_votes, read_votes_csv
from graph.errors import StanceGraphError

SAMPLE = Path(__file__).resolve().parent / "data" / "unvotes_sample"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "unvotes"
CODES = {"US": "USA", "KR": "KOR", "JP": "JPN", "CN": "CHN", "KP": "PRK", "RU": "RUS",
         "GB": "GBR", "FR": "FRA", "CU": "CUB", "IN": "IND", "BR": "BRA", "IL": "ISR"}
VALUE = {"yes": 1, "abstain": 0, "no": -1}


@pytest.fixture(scope="module")
def sample_store():
    """The seed plus the sample's roll calls, imported into a real pyoxigraph store."""
    from graph.build import build
    from graph.sources.runner import run_import
    from graph.store import open_store

    store = open_store("oxigraph:memory")
    build(store)
    (report,) = run_import(store, "unvotes", [SAMPLE])
    assert report.claims == 4252 and report.problem_count == 0
    return store


def pandas_reference(folder, a, b, by, codes=None):
    """The definitions, straight from the CSV with pandas (no code of ours)."""
    votes = pd.read_csv(folder / "un_votes.csv", keep_default_na=False)
    calls = pd.read_csv(folder / "un_roll_calls.csv", keep_default_na=False)
    calls["year"] = calls["date"].str[:4].astype(int)
    votes = votes[votes["vote"].isin(VALUE)]
    if codes is not None:
        votes = votes.assign(actor=votes["country_code"].map(codes))
    votes = votes.merge(calls[["rcid", by]], on="rcid")
    held = calls.groupby(by)["rcid"].nunique()
    mine = {x: votes[votes["actor"] == x].set_index("rcid")["vote"].map(VALUE) for x in (a, b)}
    rows = {}
    for period, total in held.items():
        rcids = set(calls.loc[calls[by] == period, "rcid"])
        va = mine[a][mine[a].index.isin(rcids)]
        vb = mine[b][mine[b].index.isin(rcids)]
        if va.empty and vb.empty:
            continue
        both = va.index.intersection(vb.index)
        x, y = va[both], vb[both]
        row = {"roll_calls": total, "common": len(both), "absent_a": total - len(va),
               "absent_b": total - len(vb)}
        if len(both):
            row["share"] = float((x == y).mean())
            row["s_score"] = float(1 - (x - y).abs().mean())
            p_e = sum((x == c).mean() * (y == c).mean() for c in (-1, 0, 1))
            row["kappa"] = float(((x == y).mean() - p_e) / (1 - p_e)) if p_e < 1 else np.nan
        else:
            row.update(share=np.nan, s_score=np.nan, kappa=np.nan)
        rows[period] = row
    return pd.DataFrame.from_dict(rows, orient="index").sort_index()


def assert_same(ours, reference, by):
    ours = ours.set_index(by)
    assert list(ours.index) == list(reference.index)
    for column in ("roll_calls", "common", "absent_a", "absent_b"):
        assert ours[column].tolist() == reference[column].astype(int).tolist(), column
    for column in ("share", "s_score", "kappa"):
        assert ours[column].to_numpy() == pytest.approx(reference[column].to_numpy(),
                                                        nan_ok=True, abs=1e-12), column


def test_doctests():
    result = doctest.testmod(agreement_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("by", ["session", "year"])
@pytest.mark.parametrize("pair", [("USA", "KOR"), ("USA", "JPN"), ("CHN", "PRK"),
                                  ("RUS", "ISR")])
def test_agreement_per_period_equals_pandas_from_the_csv(sample_store, by, pair):
    table = read_votes(sample_store)
    ours = alignment(table, pair[0], [pair[1]], by=by)
    assert set(ours["a"]) == {pair[0]} and set(ours["b"]) == {pair[1]}
    assert_same(ours, pandas_reference(SAMPLE, *pair, by, codes=CODES), by)


def test_the_store_and_the_csv_give_the_same_votes(sample_store):
    from_store, from_csv = read_votes(sample_store), read_votes_csv(SAMPLE)
    pd.testing.assert_frame_equal(from_store.votes, from_csv.votes)
    assert from_store.items.index.tolist() == from_csv.items.index.tolist()
    for column in ("rcid", "session", "year", "date"):
        assert from_store.items[column].tolist() == from_csv.items[column].tolist()


def test_absences_are_left_out_and_counted():
    votes = pd.DataFrame({
        "item": ["r1", "r1", "r2", "r3", "r3", "r4"],
        "actor": ["A", "B", "A", "A", "B", "C"],
        "position": [1.0, 1.0, -1.0, 0.0, 1.0, 1.0],
        "session": [1, 1, 1, 1, 1, 1],
    })
    (row,) = period_agreement(votes, ["A", "B"]).to_dict("records")
    # r4 was held without A or B; B missed r2.
    assert (row["roll_calls"], row["common"], row["absent_a"], row["absent_b"]) == (4, 2, 1, 2)
    assert row["share"] == pytest.approx(0.5)
    assert row["s_score"] == pytest.approx(0.5)  # |1 - 1| = 0, |0 - 1| = 1: S = 1 - 1/2


def test_a_period_without_common_votes_has_no_measure_but_counts():
    votes = pd.DataFrame({"item": ["r1", "r2"], "actor": ["A", "B"], "position": [1.0, 1.0],
                          "session": [3, 3]})
    (row,) = period_agreement(votes, ["A", "B"]).to_dict("records")
    assert row["common"] == 0 and np.isnan(row["share"]) and np.isnan(row["kappa"])


def test_sets_of_states_give_every_pair_and_others_pair_with_each(sample_store):
    table = read_votes(sample_store)
    every = period_agreement(table.votes, ["USA", "KOR", "JPN"])
    assert sorted(set(zip(every["a"], every["b"], strict=True))) == [
        ("JPN", "KOR"), ("JPN", "USA"), ("KOR", "USA")]
    against = alignment(table, "USA", ["KOR", "JPN"], by="year", start=1991, end=2000)
    assert set(against["a"]) == {"USA"} and set(against["b"]) == {"JPN", "KOR"}
    assert against["year"].between(1991, 2000).all()


def test_errors(sample_store):
    table = read_votes(sample_store)
    with pytest.raises(StanceGraphError, match="no votes of 'XXX'"):
        alignment(table, "USA", ["XXX"])
    with pytest.raises(ValueError, match="missing columns: session"):
        period_agreement(table.votes.drop(columns="session"), ["USA", "KOR"])
    with pytest.raises(ValueError, match="at least one state"):
        period_agreement(table.votes, [])
    with pytest.raises(StanceGraphError, match="period must be 'session' or 'year'"):
        alignment(table, "USA", ["KOR"], by="decade")


@pytest.mark.slow
@pytest.mark.parametrize("pair", [("USA", "KOR"), ("USA", "JPN"), ("CHN", "PRK")])
def test_whole_record_agreement_by_year_equals_pandas(full_unvotes_store, pair):
    from graph.sources.countries import iso3_from_code

    table = read_votes(full_unvotes_store)
    ours = alignment(table, pair[0], [pair[1]], by="year")
    codes = {c: iso3_from_code(c) for c in ("US", "KR", "JP", "CN", "KP")}
    assert_same(ours, pandas_reference(SHARED, *pair, "year", codes=codes), "year")
