"""``python -m risico keys new --member NAME``: a committee member's signing key, and how decisions are signed.

Each member of the ethics committee signs decisions with an Ed25519 key of
their own. ``keys new`` writes the private key (PEM, mode 0600) outside the
repository (``$RISICO_KEY_DIR/NAME.pem``, default ``~/.config/risico/keys/``,
or ``--out``) and the public key to ``governance/keys/NAME.pub``, a small JSON
file with the member's name and the key id (SHA-256 of the raw public key),
to be committed with the decisions. The gate trusts exactly the public keys
committed there.

A signature covers the canonical JSON of the whole record with only the
signature's ``value`` left out, so the member and key id it names are signed
too. ``approve --demo`` signs with a demo key made on first use in the
project's git-ignored ``.risico/demo-key.pem``; its public key is
``governance/keys/demo-<key id>.pub`` and marked demo, and the gate accepts it
only on records that say ``"demo": true``.

>>> key = SigningKey.generate("a.jansen")
>>> record = sign_record({"decision": "approve"}, key)
>>> verify_record(record, {key.key_id: key.public}, file="x.json", keys=Path("governance/keys"))
>>> record["signature"]["member"], len(record["signature"]["key_id"])
('a.jansen', 64)
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from risico.errors import RisicoError
from risico.governance.hashing import canonical_json
from risico.io import governance_root

__all__ = ["HELP", "ALGORITHM", "PublicKey", "SigningKey", "SigningError", "keys_folder", "project_root",
           "private_key_path", "new_key_pair", "load_signing_key", "demo_signing_key", "read_public_keys",
           "sign_record", "verify_record", "add_arguments", "run"]

HELP = ("make a committee member's signing key: the private key outside the repository, the public key in "
        "governance/keys/")
ALGORITHM = "Ed25519"
KEY_DIR_ENV = "RISICO_KEY_DIR"
DEMO_MEMBER = "demo"
DEMO_KEY = Path(".risico") / "demo-key.pem"
MEMBER_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")

BAD_MEMBER = ("Option --member {value!r} is not a member name. Allowed: 1 to 64 lower-case letters, digits, '.', "
              "'_' or '-', starting with a letter or digit; 'demo' is reserved.")
INSIDE_REPOSITORY = ("Private key path {path} lies inside the repository {root}; a private key never goes where it "
                     "can be committed. Allowed: a path outside it (default: ~/.config/risico/keys/NAME.pem).")
KEY_EXISTS = ("The {what} {path} already exists; risico never overwrites a key (decisions signed with it must "
              "stay verifiable). Allowed: another --member name, or another --out path.")
NO_PRIVATE_KEY = ("No private key {path}: make one with `python -m risico keys new --member NAME`, or pass the "
                  "key file with --key.")
BAD_PRIVATE_KEY = "The private key {path} is not an unencrypted Ed25519 key in PEM format (made by `risico keys new`)."
NOT_TRUSTED = ("The key {path} (key id {key_id}) has no public key in {keys}/: the gate would refuse what it signs. "
               "Commit its public key first (`python -m risico keys new` writes it).")
BAD_PUBLIC_KEY = ("The public key file {path} is not a key written by `risico keys new` (JSON with member, key_id, "
                  "algorithm Ed25519, public_key): {reason}.")
UNSIGNED = ("Decision file {file} carries no signature: the gate accepts only decisions signed with a committee "
            "member's key (python -m risico approve --member NAME ...).")
UNKNOWN_KEY = ("Decision file {file} is signed by key {key_id} ('{member}'), which is not among the committee's "
               "public keys in {keys}/: the gate refuses it.")
WRONG_MEMBER = ("Decision file {file} names member '{member}', but key {key_id} belongs to '{owner}': the gate "
                "refuses it.")
BAD_SIGNATURE = ("Decision file {file} does not match its signature by '{member}' (key {key_id}): it was edited or "
                 "re-sealed after it was signed. Restore it from git, or record a new decision.")
DEMO_KEY_ON_REAL = ("Decision file {file} is signed with the demo key {key_id} but is not a demo decision: a demo "
                    "key signs only records marked \"demo\": true.")


class SigningError(RisicoError):
    """A key is missing, malformed, or in the wrong place."""


def _key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


@dataclasses.dataclass(frozen=True)
class PublicKey:
    """A committed public key: whose it is, and whether it is the demo key."""

    member: str
    key: Ed25519PublicKey
    demo: bool = False

    @property
    def key_id(self) -> str:
        return _key_id(self.key)


@dataclasses.dataclass(frozen=True)
class SigningKey:
    """A member's private key, with the name it signs as."""

    member: str
    private: Ed25519PrivateKey
    demo: bool = False

    @classmethod
    def generate(cls, member: str, *, demo: bool = False) -> SigningKey:
        return cls(member, Ed25519PrivateKey.generate(), demo)

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.member, self.private.public_key(), self.demo)

    @property
    def key_id(self) -> str:
        return _key_id(self.private.public_key())


# -- where keys live ------------------------------------------------------------------------------------


def keys_folder(decisions: Path) -> Path:
    """The committed public keys beside a decisions folder: ``<governance>/keys``."""
    return governance_root(decisions) / "keys"


def project_root(keys: Path) -> Path:
    """The folder holding ``governance/`` (the repository), for a keys folder ``governance/keys``."""
    governance = keys.resolve().parent
    return governance.parent if governance.name == "governance" else governance


def private_key_path(member: str) -> Path:
    """``$RISICO_KEY_DIR/<member>.pem``, default ``~/.config/risico/keys/<member>.pem``."""
    folder = os.environ.get(KEY_DIR_ENV) or Path.home() / ".config" / "risico" / "keys"
    return Path(folder) / f"{member}.pem"


def _check_member(member: str) -> str:
    if not MEMBER_PATTERN.fullmatch(member) or member == DEMO_MEMBER or member.startswith(DEMO_MEMBER + "-"):
        raise SigningError(BAD_MEMBER.format(value=member))
    return member


def _refuse_inside(path: Path, keys: Path) -> None:
    """Refuse a private key path inside the repository: the keys folder's project, or the git work tree."""
    resolved = path.expanduser().resolve()
    roots = {project_root(keys)}
    for folder in (Path.cwd().resolve(), *Path.cwd().resolve().parents):
        if (folder / ".git").exists():
            roots.add(folder)
            break
    for root in sorted(roots):
        if resolved == root or root in resolved.parents:
            raise SigningError(INSIDE_REPOSITORY.format(path=path, root=root))


# -- writing and reading keys ---------------------------------------------------------------------------


def _write_new(path: Path, content: bytes, mode: int, what: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise SigningError(KEY_EXISTS.format(what=what, path=path)) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


def _private_pem(key: SigningKey) -> bytes:
    return key.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())


def _public_json(key: PublicKey) -> bytes:
    raw = key.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    content = {"algorithm": ALGORITHM, "demo": key.demo, "key_id": key.key_id, "member": key.member,
               "public_key": base64.b64encode(raw).decode("ascii")}
    return (json.dumps(content, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _public_path(keys: Path, key: PublicKey) -> Path:
    return keys / (f"{DEMO_MEMBER}-{key.key_id[:12]}.pub" if key.demo else f"{key.member}.pub")


def new_key_pair(member: str, keys: Path, private: Path | None = None) -> tuple[Path, Path]:
    """Make ``member``'s key pair: (private key file, public key file). Nothing is overwritten."""
    _check_member(member)
    private = private or private_key_path(member)
    _refuse_inside(private, keys)
    key = SigningKey.generate(member)
    public = _public_path(keys, key.public)
    if public.exists():
        raise SigningError(KEY_EXISTS.format(what="public key", path=public))
    _write_new(private, _private_pem(key), 0o600, "private key")
    _write_new(public, _public_json(key.public), 0o644, "public key")
    return private, public


def _load_private(path: Path, member: str, *, demo: bool = False) -> SigningKey:
    if not path.is_file():
        raise SigningError(NO_PRIVATE_KEY.format(path=path))
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise SigningError(BAD_PRIVATE_KEY.format(path=path)) from None
    if not isinstance(private, Ed25519PrivateKey):
        raise SigningError(BAD_PRIVATE_KEY.format(path=path))
    return SigningKey(member, private, demo)


def load_signing_key(path: Path, keys: Path) -> SigningKey:
    """The private key in ``path``, named as its committed public key in ``keys`` names its member."""
    key = _load_private(path, "?")
    trusted = read_public_keys(keys).get(key.key_id)
    if trusted is None or trusted.demo:
        raise SigningError(NOT_TRUSTED.format(path=path, key_id=key.key_id, keys=keys))
    return dataclasses.replace(key, member=trusted.member)


def demo_signing_key(keys: Path) -> SigningKey:
    """The project's local demo key (``.risico/demo-key.pem``), made with its public key on first use."""
    path = project_root(keys) / DEMO_KEY
    if not path.exists():
        key = SigningKey.generate(DEMO_MEMBER, demo=True)
        _write_new(path, _private_pem(key), 0o600, "demo key")
    key = _load_private(path, DEMO_MEMBER, demo=True)
    public = _public_path(keys, key.public)
    if not public.exists():
        _write_new(public, _public_json(key.public), 0o644, "public key")
    return key


def _read_public(path: Path) -> PublicKey:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        raw = base64.b64decode(content["public_key"], validate=True)
        member = str(content["member"])     # the demo key stays one whatever its flag says
        demo = content["demo"] is True or member == DEMO_MEMBER
        key = PublicKey(member, Ed25519PublicKey.from_public_bytes(raw), demo)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise SigningError(BAD_PUBLIC_KEY.format(path=path, reason=type(exc).__name__)) from None
    if content.get("algorithm") != ALGORITHM or content.get("key_id") != key.key_id:
        raise SigningError(BAD_PUBLIC_KEY.format(path=path, reason="key_id is not the SHA-256 of the key"))
    return key


def read_public_keys(keys: Path) -> dict[str, PublicKey]:
    """Key id -> public key, for every ``*.pub`` in ``keys`` (none when the folder does not exist)."""
    found = [_read_public(path) for path in sorted(keys.glob("*.pub"))] if keys.is_dir() else []
    return {key.key_id: key for key in found}


# -- signing --------------------------------------------------------------------------------------------


def _signed_bytes(record: Mapping[str, Any], block: Mapping[str, Any]) -> bytes:
    """What a signature covers: the record with its signature block, less the signature's value."""
    return canonical_json({**record, "signature": {k: v for k, v in block.items() if k != "value"}}).encode()


def sign_record(record: Mapping[str, Any], key: SigningKey) -> dict[str, Any]:
    """``record`` with a ``signature`` block (algorithm, key id, member, value) by ``key``."""
    body = {k: v for k, v in record.items() if k != "signature"}
    block = {"algorithm": ALGORITHM, "key_id": key.key_id, "member": key.member}
    value = key.private.sign(_signed_bytes(body, block))
    return {**body, "signature": {**block, "value": base64.b64encode(value).decode("ascii")}}


def verify_record(record: Mapping[str, Any], trusted: Mapping[str, PublicKey], *, file: Path | str,
                  keys: Path) -> None:
    """Raise `SigningError` naming ``file`` unless ``record`` is signed by a trusted key of the member it names."""
    block = record.get("signature")
    if not isinstance(block, dict) or not all(isinstance(block.get(k), str) for k in ("key_id", "member", "value")):
        raise SigningError(UNSIGNED.format(file=file))
    key = trusted.get(block["key_id"])
    if key is None:
        raise SigningError(UNKNOWN_KEY.format(file=file, keys=keys, **block))
    if key.member != block["member"]:
        raise SigningError(WRONG_MEMBER.format(file=file, owner=key.member, **block))
    body = {k: v for k, v in record.items() if k != "signature"}
    try:
        key.key.verify(base64.b64decode(block["value"], validate=True), _signed_bytes(body, block))
    except (InvalidSignature, ValueError):
        raise SigningError(BAD_SIGNATURE.format(file=file, **block)) from None
    if key.demo and record.get("demo") is not True:
        raise SigningError(DEMO_KEY_ON_REAL.format(file=file, key_id=block["key_id"]))


# -- command --------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("new",), help="new: make a key pair")
    parser.add_argument("--member", required=True, help="the committee member's name (lower case, e.g. a.jansen)")
    parser.add_argument("--out", type=Path,
                        help=f"the private key file, outside the repository (default: ${KEY_DIR_ENV}/NAME.pem, "
                             "else ~/.config/risico/keys/NAME.pem)")
    parser.add_argument("--keys", type=Path, default=Path("governance/keys"),
                        help="the folder of committed public keys (default: governance/keys)")


def run(args: argparse.Namespace) -> None:
    private, public = new_key_pair(args.member, args.keys, args.out)
    print(f"Wrote the private key {private} (keep it to yourself) and the public key {public} "
          "(commit it: the gate trusts the keys in that folder)")
