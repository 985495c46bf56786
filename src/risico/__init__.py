"""risico: risk-based pre-award supervision with a fairness audit in front of every score."""

__all__ = ["__version__"]

__version__ = "0.1.0"
