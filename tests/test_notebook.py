"""The notebook runs top to bottom on a fresh kernel."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_notebooks_are_stored_without_outputs():
    for path in NOTEBOOKS.glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, path.name


def test_alignment_clusters_notebook_executes(tmp_path):
    notebook = nbformat.read(NOTEBOOKS / "alignment_clusters.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "swing states: ['KOR']" in text


def test_time_notebook_executes(tmp_path):
    """notebooks/time.ipynb (issue 11): the US-ROK DPRK human rights gap over time, from the
    seed, plus the 2023 co-sponsorships when ../shared is present."""
    notebook = nbformat.read(NOTEBOOKS / "time.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "distance on 2021-06-30: 0.500" in text
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the plot
    if "shared datasets imported: True" in text:
        assert "distance on 2023-12-31: 0.000" in text and "score on 2023-12-31: closed" in text
    else:
        assert "shared datasets imported: False" in text


def _execute(name, tmp_path, env=None):
    import os

    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    return "".join(o.get("text", "") for o in outputs)


def test_un_alignment_notebook_executes_on_the_bundled_sample(tmp_path):
    text = _execute("un_alignment_over_time.ipynb", tmp_path, {"STANCEGRAPH_UN_SAMPLE": "1"})
    assert "data: the bundled sample" in text
    assert "USA-KOR S score by year" in text and "ideal point of RUS" in text
    assert "converged: True" in text


@pytest.mark.slow
def test_un_alignment_notebook_executes_on_the_whole_record(tmp_path):
    from pathlib import Path

    if not (Path(__file__).resolve().parents[2] / "shared" / "data" / "unvotes").is_dir():
        pytest.skip("the shared datasets are absent (../shared/data/unvotes not found)")
    text = _execute("un_alignment_over_time.ipynb", tmp_path)
    assert "data: the whole record" in text and "converged: True" in text
