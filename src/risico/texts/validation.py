"""Texts of the validation report (``validate`` stage, :mod:`risico.validate.report`).
"""

from __future__ import annotations

from risico.texts import Catalog
from risico.texts.common import ENTRIES as COMMON

__all__ = ["ENTRIES", "TEXTS", "text"]

ENTRIES: dict[str, dict[str, str]] = {
    # -- validation report (Data Docs) ----------------------------------------------
    "validation.title": {"nl": "Validatierapport", "en": "Validation report"},
    "validation.intro": {
        "nl": "Elke tabel is getoetst aan het datacontract (docs/data-contract.md). Regels op tabelniveau moeten "
              "gelden; rijen die een regel op rijniveau breken gaan met reden naar quarantaine "
              "(data/quarantine/), niets verdwijnt stil.",
        "en": "Every table was checked against the data contract (docs/data-contract.md). Table-level rules must "
              "hold; rows that break a row-level rule go to quarantine (data/quarantine/) with their reason, "
              "nothing is dropped silently.",
    },
    "validation.passed": {"nl": "Geslaagd: de tabellen zijn bruikbaar.", "en": "Passed: the tables can be used."},
    "validation.stopped": {"nl": "Gestopt: de tabellen zijn niet bruikbaar.", "en": "Stopped: the tables cannot be used."},
    "validation.summary": {"nl": "Samenvatting per tabel", "en": "Summary per table"},
    "validation.source": {"nl": "Gelezen bestanden", "en": "Files read"},
    "validation.rules": {"nl": "Regels per tabel", "en": "Rules per table"},
    "validation.drift": {"nl": "Verschuiving ten opzichte van de referentie (PSI)",
                         "en": "Drift against the reference (PSI)"},
    "validation.drift_note": {
        "nl": "Referentie: {reference}. Een PSI boven {limit} is een waarschuwing, geen stop.",
        "en": "Reference: {reference}. A PSI above {limit} is a warning, not a stop.",
    },
    "validation.quarantine": {"nl": "Redenen van quarantaine", "en": "Reasons for quarantine"},
    "col.table": {"nl": "tabel", "en": "table"},
    "col.rows": {"nl": "rijen", "en": "rows"},
    "col.accepted": {"nl": "geaccepteerd", "en": "accepted"},
    "col.quarantined": {"nl": "quarantaine", "en": "quarantined"},
    "col.rule": {"nl": "regel", "en": "rule"},
    "col.level": {"nl": "niveau", "en": "level"},
    "col.result": {"nl": "uitkomst", "en": "result"},
    "col.unexpected": {"nl": "afwijkend", "en": "unexpected"},
    "col.examples": {"nl": "voorbeelden", "en": "examples"},
    "col.column": {"nl": "kolom", "en": "column"},
    "col.psi": {"nl": "PSI", "en": "PSI"},
    "col.reason": {"nl": "reden", "en": "reason"},
    "col.encoding": {"nl": "codering", "en": "encoding"},
    "col.separator": {"nl": "scheidingsteken", "en": "separator"},
    "col.warnings": {"nl": "waarschuwingen", "en": "warnings"},
    "result.pass": {"nl": "geslaagd", "en": "passed"},
    "result.fail": {"nl": "gefaald", "en": "failed"},
}

TEXTS = Catalog("validation", COMMON, ENTRIES)
text = TEXTS.text
