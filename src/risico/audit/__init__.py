"""Fairness audit: group metrics at the selection cut-off, disparities and verdicts, on any scored table."""
