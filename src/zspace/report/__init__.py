"""Figures (results in, matplotlib Figure out) and, later, the HTML report."""
