"""Fairness audit: proxies, group disparities and unsupervised bias search."""
