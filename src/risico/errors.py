"""The one exception type the command line turns into a one-line message."""

from __future__ import annotations

__all__ = ["RisicoError"]


class RisicoError(Exception):
    """An error a person can act on: what was wrong, where, and what is allowed.

    The CLI prints its message on one line and exits with status 2; the
    traceback appears only with ``--debug``.
    """
