"""A committee member's key for the governance tests: approve signs with it unless a test says otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from risico.governance.keys import SigningKey, load_signing_key, new_key_pair

MEMBER = "commissie.test"


@pytest.fixture()
def committee_key(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> SigningKey:
    """``MEMBER``'s key pair: the public key in ``tmp_path/governance/keys``, the private key in a folder apart
    (``$RISICO_KEY_DIR``); ``$RISICO_MEMBER`` makes ``approve`` sign with it."""
    private = tmp_path_factory.mktemp("private-keys")
    monkeypatch.setenv("RISICO_KEY_DIR", str(private))
    monkeypatch.setenv("RISICO_MEMBER", MEMBER)
    keys = tmp_path / "governance" / "keys"
    new_key_pair(MEMBER, keys)
    return load_signing_key(private / f"{MEMBER}.pem", keys)
