"""What one row of a model's data is: an application (the default) or a provider in a quarter (issue 7).

The features stages write ``target.json`` beside ``X.parquet``; train and
evaluate read it, so the same machinery serves both units of analysis
instead of a second copy of the code. A folder without ``target.json`` holds
applications.

>>> APPLICATIONS.id, APPLICATIONS.group, APPLICATIONS.truth_table
('application_id', 'household_id', 'applications_truth')
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from risico.errors import RisicoError

__all__ = ["Target", "APPLICATIONS", "read_target"]

BAD_TARGET = ("File {file} must hold a JSON object with 'target', 'id', 'group' and 'truth' (table, key, label, "
              "probability). {problem}")


@dataclasses.dataclass(frozen=True)
class Target:
    """Column names of one unit of analysis.

    Attributes
    ----------
    name : ``applications`` or ``providers``.
    id : the row id in X, meta, labels and scores.
    group : the meta column a split keeps on one side (a household, a provider).
    date : the meta column that orders rows in time for the temporal split.
    truth_table, truth_key, truth_label, truth_probability : where the synthetic world's truth is
        (``data/truth/<truth_table>.parquet``), the meta column that joins it, its label and the oracle's score.
    capacity_section : the params section whose ``capacity`` is the cases checked per period.
    """

    name: str
    id: str
    group: str
    date: str
    truth_table: str
    truth_key: str
    truth_label: str = "true_violation"
    truth_probability: str = "true_probability"
    capacity_section: str = "worklist"


APPLICATIONS = Target(name="applications", id="application_id", group="household_id", date="application_date",
                      truth_table="applications_truth", truth_key="application_id")


def read_target(processed: Path) -> Target:
    """The target described by ``processed/target.json``, or :data:`APPLICATIONS` when there is none."""
    file = processed / "target.json"
    if not file.is_file():
        return APPLICATIONS
    try:
        spec = json.loads(file.read_text(encoding="utf-8"))
        truth = spec["truth"]
        return Target(name=spec["target"], id=spec["id"], group=spec["group"], date=spec.get("date", "as_of"),
                      truth_table=truth["table"], truth_key=truth["key"],
                      truth_label=truth.get("label", "true_violation"),
                      truth_probability=truth.get("probability", "true_probability"),
                      capacity_section=spec.get("capacity_section", "worklist"))
    except (ValueError, KeyError, TypeError) as exc:
        raise RisicoError(BAD_TARGET.format(file=file, problem=f"Problem: {exc!r}.")) from None
