"""Every notebook runs top to bottom on a small world, stored without outputs, defining no functions."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from risico.io import write_parquet
from risico.synth import generate_world
from tests.conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def project(tmp_path_factory, make_params):
    root = tmp_path_factory.mktemp("nbproject")
    (root / "dvc.yaml").write_text("stages: {}\n")
    world = generate_world(make_params(n_persons=3000))
    for folder, tables in (("raw", world.raw), ("truth", world.truth)):
        (root / "data" / folder).mkdir(parents=True)
        for name, frame in tables.items():
            write_parquet(frame, root / "data" / folder / f"{name}.parquet")
    return root


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS][:1] == ["1.0-explore-world.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stored_clean_and_defines_nothing(path: Path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, "store notebooks without outputs"
            assert "def " not in cell.source and "class " not in cell.source and "lambda" not in cell.source
    assert any("import risico" in c.source or "from risico" in c.source for c in nb.cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path, project, monkeypatch):
    monkeypatch.setenv("RISICO_PROJECT_DIR", str(project))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(project)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
