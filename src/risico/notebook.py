"""Helpers for the numbered notebooks (which import risico and define nothing themselves)."""

from __future__ import annotations

import os
from pathlib import Path

from risico.errors import RisicoError

__all__ = ["project_root"]

ENV_VAR = "RISICO_PROJECT_DIR"


def project_root(start: str | Path | None = None) -> Path:
    """The project folder: ``$RISICO_PROJECT_DIR`` if set, else the nearest parent holding ``dvc.yaml``.

    Notebooks run with their own folder as working directory (JupyterLab) or
    the project's (tests); both find the same root.
    """
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "dvc.yaml").is_file():
            return folder
    raise RisicoError(f"No dvc.yaml found in {here} or its parents; set {ENV_VAR} to the project folder.")
