"""Exceptions raised by migstats. Each message names the input, what was expected and the next step.

Each class carries the exit code the ``migstats`` command ends with when it stops on that
error (``exit_code``): 2 for a bad input (unknown country, year, option), 3 for a problem
with the data (sources missing or not verifying, the store missing or damaged), 4 for an
output that cannot be written, 5 for an unreachable Dask scheduler.
"""

from __future__ import annotations

__all__ = [
    "MigstatsError",
    "CountryNotFoundError",
    "AmbiguousCountryError",
    "AreaNotCoveredError",
    "SourceMissingError",
    "SourceVerificationError",
    "SourceLayoutError",
    "StoreNotBuiltError",
    "StoreDamagedError",
    "SchemaError",
    "DataNotAvailableError",
    "GroupNotFoundError",
    "OutputError",
    "SchedulerUnreachableError",
    "RenderInterrupted",
]


class MigstatsError(Exception):
    """Base class of every error migstats raises on purpose."""

    exit_code = 3


class CountryNotFoundError(MigstatsError, LookupError):
    """A country or area name/code could not be resolved.

    Attributes
    ----------
    query : str
        What the user typed.
    suggestions : list of str
        Closest known names, best first.
    """

    exit_code = 2

    def __init__(self, query, suggestions=()):
        self.query = query
        self.suggestions = list(suggestions)
        hint = (f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else "")
        super().__init__(
            f"Unknown country or area {query!r}.{hint} "
            "Names, ISO3/ISO2 codes and M49 codes are accepted; "
            "`migstats countries` lists every area."
        )


class AmbiguousCountryError(MigstatsError, LookupError):
    """A name matches several countries; the user must choose.

    Attributes
    ----------
    query : str
    candidates : list of tuple
        ``(iso3, name)`` of each candidate.
    """

    exit_code = 2

    def __init__(self, query, candidates):
        self.query = query
        self.candidates = list(candidates)
        listed = "; ".join(f"{name} ({iso3})" for iso3, name in self.candidates)
        super().__init__(
            f"{query!r} is ambiguous: it could mean {listed}. "
            f"Pass the ISO3 code instead, e.g. {self.candidates[0][0]!r}."
        )


class AreaNotCoveredError(CountryNotFoundError):
    """An area other sources list but the UN DESA tables do not (e.g. Kosovo): says how
    migstats treats it and what to ask for instead.

    Attributes
    ----------
    query : str
    explanation : str
    """

    def __init__(self, query, explanation: str):
        self.query = query
        self.suggestions = []
        self.explanation = explanation
        MigstatsError.__init__(self, explanation)


class SourceMissingError(MigstatsError, FileNotFoundError):
    """A source file is not in the raw data folder."""


class SourceVerificationError(MigstatsError):
    """A source file's size or SHA-256 does not match the registry or its pin."""


class SourceLayoutError(MigstatsError, ValueError):
    """A source file does not have the layout its parser expects (changed edition?)."""


class StoreNotBuiltError(MigstatsError, FileNotFoundError):
    """The processed store (Parquet tables) is missing or incomplete."""


class StoreDamagedError(StoreNotBuiltError):
    """A table of the processed store cannot be read or does not match its schema.

    Attributes
    ----------
    tables : list of str
        The damaged tables.
    """

    def __init__(self, message, tables=()):
        self.tables = list(tables)
        super().__init__(message)


class SchemaError(MigstatsError, ValueError):
    """A tidy table does not match its documented schema."""


class DataNotAvailableError(MigstatsError, LookupError):
    """A figure was asked for a year/edition/source that the data does not cover."""

    exit_code = 2


class GroupNotFoundError(CountryNotFoundError):
    """A group name (region, income group, partner group) is unknown."""

    def __init__(self, query, suggestions=()):
        self.query = query
        self.suggestions = list(suggestions)
        hint = (f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else "")
        MigstatsError.__init__(
            self, f"Unknown group {query!r}.{hint} `migstats groups` lists every group; "
            "a list of countries (e.g. --countries BLR,UKR) also works."
        )


class OutputError(MigstatsError):
    """An output (report folder, bundle) cannot be written where the user asked."""

    exit_code = 4


class SchedulerUnreachableError(MigstatsError, ConnectionError):
    """The Dask scheduler given with ``--scheduler`` did not answer."""

    exit_code = 5


class RenderInterrupted(KeyboardInterrupt):
    """A batch render stopped by Ctrl-C (SIGINT) or SIGTERM.

    What finished is kept and listed in ``render-summary.csv``; rendering the same batch
    again skips it.

    Attributes
    ----------
    results : list of migstats.render.RenderResult
        Every profile of the batch with its status ("ok", "skipped", "failed", "not run").
    summary : pathlib.Path or None
        The summary file written.
    """

    def __init__(self, results, summary=None):
        self.results = list(results)
        self.summary = summary
        super().__init__("interrupted")
