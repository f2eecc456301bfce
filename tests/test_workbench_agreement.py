"""Agreement between two codings: Krippendorff's alpha, the disagreement table, the merge."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner

from graph.cli import cli
from graph.workbench.agreement import agreement, alpha, merge, read_coding

NAN = float("nan")
#: Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: four coders,
#: twelve units, nominal values with missing data; the published alpha is 0.743.
PUBLISHED = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]

HEAD = """@prefix sg: <https://stancegraph.org/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix state: <https://stancegraph.org/id/state/> .
@prefix claim: <https://stancegraph.org/id/claim/> .
@prefix source: <https://stancegraph.org/id/source/> .
source:s a sg:Source ; dcterms:title "T" .
"""


def coding(path, claims):
    lines = [HEAD]
    for i, (actor, relation, target, start, end) in enumerate(claims, 1):
        lines.append(
            f"claim:{path.stem}-{i} a sg:Claim ; sg:actor state:{actor} ; "
            f"sg:relation sg:{relation} ; sg:target state:{target} ; "
            f'prov:wasDerivedFrom source:s ; sg:evidence "{"x" * (end - start)}" ; '
            f'sg:evidenceStart "{start}"^^xsd:integer ; sg:evidenceEnd "{end}"^^xsd:integer .\n')
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def pair(tmp_path):
    a = coding(tmp_path / "alice.ttl", [
        ("USA", "criticizes", "PRK", 0, 10), ("KOR", "supports", "USA", 20, 30),
        ("CHN", "opposes", "USA", 40, 50), ("JPN", "supports", "KOR", 60, 70),
        ("RUS", "criticizes", "USA", 80, 90)])
    b = coding(tmp_path / "bob.ttl", [
        ("USA", "criticizes", "PRK", 0, 10), ("KOR", "alignedWith", "USA", 20, 30),
        ("CHN", "opposes", "KOR", 40, 50), ("JPN", "supports", "KOR", 60, 70),
        ("CHN", "criticizes", "JPN", 100, 110)])
    return a, b


def test_the_published_example_gives_0_743():
    assert alpha(PUBLISHED) == pytest.approx(0.743, abs=5e-4)
    assert alpha(PUBLISHED) == pytest.approx(
        krippendorff.alpha(reliability_data=np.array(PUBLISHED), level_of_measurement="nominal"))


def test_alpha_is_undefined_without_variation_or_pairs():
    assert math.isnan(alpha([[1, 1, 1], [1, 1, 1]]))
    assert math.isnan(alpha([[1, NAN], [NAN, 2]]))


def test_two_codings_give_the_packages_alpha_per_variable(pair):
    a, b = (read_coding(p) for p in pair)
    summary, table = agreement(a, b)
    by_name = {row["variable"]: row for row in summary}
    # Units in order 0..10, 20..30, 40..50, 60..70, 80..90, 100..110; categories by hand.
    expected = {
        "actor": [[0, 1, 2, 3, 4, NAN], [0, 1, 2, 3, NAN, 2]],
        "relation": [[0, 1, 2, 1, 0, NAN], [0, 3, 2, 1, NAN, 0]],
        "target": [[0, 1, 0, 2, 1, NAN], [0, 1, 2, 2, NAN, 3]],
    }
    for name, data in expected.items():
        value = krippendorff.alpha(reliability_data=np.array(data, dtype=float),
                                   level_of_measurement="nominal")
        assert by_name[name]["alpha"] == pytest.approx(value, abs=1e-4), name
        assert by_name[name]["units"] == 6
    assert by_name["actor"]["agreed"] == 4
    assert {(r["unit"], r["variable"], r["a"], r["b"]) for r in table} >= {
        ("20..30", "relation", "supports", "alignedWith"),
        ("40..50", "target", "state:USA", "state:KOR"),
        ("80..90", "actor", "state:RUS", ""),
        ("100..110", "actor", "", "state:CHN"),
    }


def test_a_unit_coded_as_a_set_of_targets_is_one_category(tmp_path):
    a = coding(tmp_path / "a.ttl", [("PRK", "appealsTo", "CUB", 0, 10),
                                    ("PRK", "appealsTo", "VNM", 0, 10)])
    b = coding(tmp_path / "b.ttl", [("PRK", "appealsTo", "VNM", 0, 10),
                                    ("PRK", "appealsTo", "CUB", 0, 10)])
    summary, table = agreement(read_coding(a), read_coding(b))
    assert table == [] and all(row["agreed"] == 1 for row in summary)


def test_merge_takes_each_unit_from_the_chosen_coder(pair, tmp_path):
    a, b = (read_coding(p) for p in pair)
    out = tmp_path / "merged.ttl"
    taken = merge(a, b, out, prefer="a", choices={"40..50": "b"})
    assert taken == {"a": 4, "b": 2}
    merged = read_coding(out)
    assert sorted(merged.units) == [(0, 10), (20, 30), (40, 50), (60, 70), (80, 90), (100, 110)]
    assert merged.units[(40, 50)][0]["target"] == "state:KOR"
    assert merged.units[(20, 30)][0]["relation"] == "supports"
    with pytest.raises(Exception, match="no unit '5..6'"):
        merge(a, b, out, choices={"5..6": "a"})


def test_the_command_prints_alpha_and_disagreements_and_merges(pair, tmp_path):
    out = tmp_path / "m.ttl"
    done = CliRunner().invoke(cli, ["agreement", str(pair[0]), str(pair[1]), "--format", "csv",
                                    "--merge", str(out), "--prefer", "b",
                                    "--choose", "20..30=a"])
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0] == "variable,alpha,units,agreed"
    assert [line.split(",")[0] for line in lines[1:4]] == ["actor", "relation", "target"]
    assert "unit,evidence,variable,a,b" in lines
    assert "merged into" in done.stderr and out.exists()
    done = CliRunner().invoke(cli, ["agreement", str(pair[0]), str(pair[1]), "--merge",
                                    str(out), "--choose", "20..30"])
    assert done.exit_code == 1 and "Error: --choose '20..30'" in done.stderr


def test_bad_files_are_named(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    good = coding(tmp_path / "good.ttl", [("USA", "criticizes", "PRK", 0, 10)])
    done = CliRunner().invoke(cli, ["agreement", str(bad), str(good)])
    assert done.exit_code == 1 and f"Error: {bad}: not valid Turtle" in done.stderr
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("actor,relation,target\nstate:USA,criticizes,\n", encoding="utf-8")
    done = CliRunner().invoke(cli, ["agreement", str(sheet), str(sheet)])
    assert done.exit_code == 1 and f"Error: {sheet}:2: target: empty" in done.stderr


def test_spreadsheets_compare_and_merge_too(tmp_path):
    header = "claim_id,actor,relation,target,evidence,evidence_start,evidence_end\n"
    a = tmp_path / "a.csv"
    a.write_text(header + "a1,state:USA,criticizes,state:PRK,xx,0,2\n"
                 "a2,state:KOR,supports,state:USA,yy,5,7\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text(header + "b1,state:USA,criticizes,state:PRK,xx,0,2\n"
                 "b2,state:KOR,opposes,state:USA,yy,5,7\n", encoding="utf-8")
    summary, table = agreement(read_coding(a), read_coding(b))
    assert [(r["variable"], r["agreed"]) for r in summary] == \
        [("actor", 2), ("relation", 1), ("target", 2)]
    out = tmp_path / "m.csv"
    assert merge(read_coding(a), read_coding(b), out, prefer="b") == {"a": 0, "b": 2}
    assert out.read_text(encoding="utf-8").splitlines()[1:] == [
        "b1,state:USA,criticizes,state:PRK,xx,0,2", "b2,state:KOR,opposes,state:USA,yy,5,7"]
