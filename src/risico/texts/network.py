"""Texts of the provider network (:mod:`risico.network`): shown by the provider audit and on the
provider worklist's network sheet.
"""

from __future__ import annotations

from risico.texts import Catalog

__all__ = ["ENTRIES", "TEXTS", "text"]

ENTRIES: dict[str, dict[str, str]] = {
    "network.title": {"nl": "Rood: eerder failliet of gesanctioneerd", "en": "Red: failed or sanctioned before"},
    "network.same_director": {"nl": "zelfde bestuurder", "en": "same director"},
    "network.same_address": {"nl": "zelfde adres", "en": "same address"},
    "network.intermediary": {"nl": "bemiddelaar van cliënten", "en": "intermediary of clients"},
    "network.moved_together": {"nl": "cliënten kwamen samen over van", "en": "clients moved together from"},
    "network.col.listed": {"nl": "Zorgaanbieder op de lijst", "en": "Listed provider"},
    "network.col.relation": {"nl": "Verband", "en": "Link"},
    "network.col.linked": {"nl": "Verbonden met", "en": "Linked to"},
    "network.col.director": {"nl": "Bestuurder", "en": "Director"},
    "network.col.address": {"nl": "Adres", "en": "Address"},
    "network.col.registered": {"nl": "Ingeschreven", "en": "Registered"},
    "network.col.ended": {"nl": "Beëindigd", "en": "Ended"},
    "network.col.end_reason": {"nl": "Reden einde", "en": "End reason"},
    "network.col.shared": {"nl": "Aantal gedeelde cliënten", "en": "Shared clients"},
}

TEXTS = Catalog("network", ENTRIES)
text = TEXTS.text
