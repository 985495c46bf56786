"""What a table file's bytes are: the one encoding detection every reader of CSV uses.

``ingest`` (a municipality's extracts) and ``audit-scores`` (any scored table)
read CSV the same way:

* content that is not CSV text is recognised by its first bytes
  (:func:`describe_bytes`: ZIP/XLSX, PDF, old Excel, gzip, Parquet, UTF-16,
  HTML, XML, binary data) and refused by the caller with a line naming it;
* a UTF-8 byte-order mark is dropped; valid UTF-8 is kept; anything else is
  Latin-1/cp1252 (:func:`decode_text`), unless some lines are UTF-8 and others
  are not, which is refused (:data:`MIXED_ENCODING`);
* a line with more or fewer fields than the header is found by
  :func:`first_ragged_line`, so the message can name it.

This is a core module: stage packages import it, it imports none of them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re

import numpy as np

from risico.errors import RisicoError

__all__ = ["BOM", "MIXED_ENCODING", "EncodingError", "describe_bytes", "decode_text", "first_ragged_line",
           "has_text", "split_bom"]

BOM = codecs.BOM_UTF8
MIXED_ENCODING = ("File {file} mixes text encodings: line {line} is not valid UTF-8 (byte 0x{byte}), while line "
                  "{utf8_line} is UTF-8. Save the whole file in one encoding (UTF-8, or Latin-1/cp1252).")

_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook or a zipped export)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls workbook (or another Office file)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"PAR1", "a Parquet file"),
    (b"\xff\xfe", "UTF-16 text"),
    (b"\xfe\xff", "UTF-16 text"),
)
_NON_SPACE = re.compile(rb"\S")


def _latin1_fallback(exc: UnicodeDecodeError) -> tuple[str, int]:
    """cp1252 leaves five bytes undefined; read them as Latin-1 (control characters) instead of failing."""
    return exc.object[exc.start:exc.end].decode("latin-1"), exc.end


codecs.register_error("risico-latin1-fallback", _latin1_fallback)


class EncodingError(RisicoError, ValueError):
    """The text of a file is in more than one encoding; the message names the lines."""


def split_bom(raw: bytes) -> tuple[bytes, bool]:
    """The content without a UTF-8 byte-order mark, and whether it had one."""
    return (raw[len(BOM):], True) if raw.startswith(BOM) else (raw, False)


def has_text(body: bytes, start: int = 0) -> bool:
    """Whether ``body`` holds anything but white space from ``start`` on."""
    return _NON_SPACE.search(body, start) is not None


def describe_bytes(content: bytes) -> str | None:
    """What non-CSV content this is, from its first bytes (``None`` for text).

    >>> describe_bytes(b"\\x1f\\x8b\\x08\\x00"), describe_bytes(b"score,label\\n1,0\\n") is None
    ('gzip-compressed data', True)
    """
    for magic, text in _MAGIC:
        if content.startswith(magic):
            return text
    start = content[:1024].lstrip(BOM).lstrip()[:32].lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    if start.startswith(b"<?xml"):
        return "an XML document"
    nul = content.find(b"\x00")
    if nul >= 0:
        line = content.count(b"\n", 0, nul) + 1
        return f"binary data (a NUL byte on line {line})"
    return None


def decode_text(body: bytes, bom: bool, file: str) -> tuple[bytes, str]:
    """The content (without byte-order mark) as UTF-8 bytes, and the encoding it was in.

    ``"utf-8-sig"`` or ``"utf-8"`` when it is valid UTF-8, else ``"cp1252"`` (bytes cp1252 leaves undefined
    are read as Latin-1).

    Raises
    ------
    EncodingError
        If some lines are UTF-8 and others are not (:data:`MIXED_ENCODING`).

    >>> decode_text("wëstern".encode("latin-1"), False, "x.csv")
    (b'w\\xc3\\xabstern', 'cp1252')
    """
    utf8 = "utf-8-sig" if bom else "utf-8"
    if body.isascii():
        return body, utf8
    try:
        body.decode("utf-8")
        return body, utf8
    except UnicodeDecodeError as exc:
        bad = exc.start
    bad_line = body.count(b"\n", 0, bad) + 1
    utf8_line = _first_utf8_line(body)
    if utf8_line is None and bom and bad_line > 1:
        utf8_line = 1                      # the byte-order mark says UTF-8
    if utf8_line is not None:
        raise EncodingError(MIXED_ENCODING.format(file=file, line=bad_line, byte=f"{body[bad]:02X}",
                                                  utf8_line=utf8_line))
    return body.decode("cp1252", errors="risico-latin1-fallback").encode("utf-8"), "cp1252"


def _first_utf8_line(body: bytes) -> int | None:
    """The first line (1-based) that is valid UTF-8 and holds a multi-byte character, if any."""
    octets = np.frombuffer(body, dtype=np.uint8)
    high = np.flatnonzero(octets >= 0x80)
    last = len(octets) - 1
    first = octets[high]
    follows = [(high + k <= last) & ((octets[np.minimum(high + k, last)] & 0xC0) == 0x80) for k in (1, 2, 3)]
    lead = (((first >= 0xC2) & (first <= 0xDF) & follows[0])
            | ((first >= 0xE0) & (first <= 0xEF) & follows[0] & follows[1])
            | ((first >= 0xF0) & (first <= 0xF4) & follows[0] & follows[1] & follows[2]))
    if not lead.any():
        return None
    newlines = np.flatnonzero(octets == 0x0A)
    for index in np.unique(np.searchsorted(newlines, high[lead]))[:1000]:
        start = int(newlines[index - 1]) + 1 if index > 0 else 0
        stop = int(newlines[index]) if index < len(newlines) else len(body)
        try:
            body[start:stop].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return int(index) + 1
    return None


def first_ragged_line(data: bytes, separator: str, n_fields: int) -> tuple[int, int] | None:
    """The first line (1-based) whose number of fields differs from ``n_fields``, and its count; ``data`` is UTF-8
    with the header on line 1 (meant for the error path: it reads the whole text).

    >>> first_ragged_line(b"a,b\\n1,2\\n3,4,5\\n", ",", 2)
    (3, 3)
    """
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=separator)
    next(reader, None)
    for row in reader:
        if row and len(row) != n_fields:
            return reader.line_num, len(row)
    return None
