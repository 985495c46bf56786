"""Words several consumers share: column headers of the model card and the audit, the client groups
of the provider audit (audit and register), and "none".
"""

from __future__ import annotations

from risico.texts import Catalog

__all__ = ["ENTRIES", "TEXTS", "text"]

ENTRIES: dict[str, dict[str, str]] = {
    "col.group": {"nl": "groep", "en": "group"},
    "validation.none": {"nl": "geen", "en": "none"},
    "col.metric": {"nl": "maat", "en": "metric"},
    "col.observed": {"nl": "waargenomen", "en": "observed"},
    "col.truth": {"nl": "werkelijk", "en": "true"},
    "provider_audit.ground.clients_non_western": {"nl": "cliënten met een niet-westerse migratieachtergrond",
                                                  "en": "clients with a non-western migration background"},
    "provider_audit.ground.clients_female": {"nl": "vrouwelijke cliënten", "en": "female clients"},
    "provider_audit.ground.clients_age_67plus": {"nl": "cliënten van 67 jaar of ouder",
                                                 "en": "clients aged 67 or over"},
}

TEXTS = Catalog("common", ENTRIES)
text = TEXTS.text
