"""migstats: international migration statistics as tidy tables, indicators, maps and profiles."""

from __future__ import annotations

__version__ = "0.1.0"
