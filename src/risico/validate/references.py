"""Cross-table referential integrity, which Great Expectations cannot check.

Tables are checked parents first, so a row whose parent was quarantined is
quarantined too (with its own reason) and nothing downstream points into a
hole.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from risico.contract import Table

__all__ = ["parent_first", "dangling", "isin"]


def parent_first(contract: Mapping[str, Table]) -> list[str]:
    """Table names ordered so that every referenced table comes before the tables that refer to it."""
    order: list[str] = []
    pending = dict(contract)
    while pending:
        ready = [name for name, table in pending.items()
                 if all(c.references.split(".")[0] in order or c.references.split(".")[0] == name
                        for c in table.columns if c.references)]
        if not ready:
            raise ValueError(f"cyclic references among {sorted(pending)}")
        for name in ready:
            order.append(name)
            del pending[name]
    return order


def dangling(frame: pd.DataFrame, table: Table, accepted: Mapping[str, pd.DataFrame]) -> dict[str, pd.Series]:
    """For each reference column, a boolean mask of rows whose (non-empty) value is missing from its parent.

    ``accepted`` holds the already accepted rows of the parent tables.
    """
    masks = {}
    for col in table.columns:
        if not col.references:
            continue
        parent, key = col.references.split(".")
        if parent == table.name or parent not in accepted:
            continue
        values = frame[col.name]
        masks[col.name] = values.notna() & ~isin(values, accepted[parent][key])
    return masks


def isin(values: pd.Series, allowed: pd.Series) -> pd.Series:
    """``values.isin(allowed)``, about ten times faster for text columns (Arrow's hash set, no copies)."""
    if pd.api.types.is_string_dtype(values) and pd.api.types.is_string_dtype(allowed):
        found = pc.is_in(pa.array(values.array), value_set=pa.array(allowed.array))
        return pd.Series(found.to_numpy(zero_copy_only=False).astype(bool, copy=False), index=values.index)
    return values.isin(allowed)
