"""migstats: international migration statistics as tidy tables, indicators, maps and profiles.

Data flows one way: official source files (:mod:`migstats.registry`, :mod:`migstats.fetch`)
→ one parser per source (:mod:`migstats.parsers`) → the Parquet store
(:mod:`migstats.store`, schemas in :mod:`migstats.schemas`) → indicators
(:mod:`migstats.indicators`) → figures (:mod:`migstats.maps`, :mod:`migstats.charts`) →
notebooks and HTML profiles (:mod:`migstats.profiles`, :mod:`migstats.render`).

Quick start::

    import migstats
    p = migstats.profile("Belarus", 2024)
    p.figure("emigrant_share_population")
"""

from __future__ import annotations

__version__ = "0.1.0"

import sys  # noqa: E402

# nbformat (under papermill and nbconvert) validates notebooks with jsonschema, whose
# ``format-nongpl`` extra (Jupyter Server installs it) imports ``rfc3987_syntax`` to check the
# ``iri`` string format; that module compiles a Lark grammar at import: 1.8 s of the 2.5 s
# ``import nbformat`` took on the 2-core test machine (python-jsonschema/jsonschema#1392).
# No notebook schema uses ``iri``, so in a process that imports migstats before jsonschema the
# module is marked unavailable, and jsonschema leaves out that one format checker.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)

from .exceptions import (  # noqa: E402
    AmbiguousCountryError,
    AreaNotCoveredError,
    CountryNotFoundError,
    DataNotAvailableError,
    GroupNotFoundError,
    MigstatsError,
    SourceLayoutError,
    SourceMissingError,
    SourceVerificationError,
    StoreNotBuiltError,
)


def __getattr__(name):
    # every module but the exceptions loads on first use: pandas, matplotlib, geopandas and
    # papermill take seconds to import, and `migstats profile` starts its kernel server first
    import importlib

    lazy = {"Country": ("countries", "Country"), "country_table": ("countries", "country_table"),
            "resolve": ("countries", "resolve"), "resolve_many": ("countries", "resolve_many"),
            "Group": ("groups", "Group"), "list_groups": ("groups", "list_groups"),
            "resolve_group": ("groups", "resolve_group"), "build": ("store", "build"),
            "load": ("store", "load"), "load_boundaries": ("store", "load_boundaries"),
            "provenance": ("store", "provenance"),
            "profile": ("indicators", "profile"), "group_profile": ("indicators", "group_profile"),
            "Profile": ("indicators", "Profile"), "Figure": ("indicators", "Figure"),
            "corridors": ("indicators", "corridors"), "render_profile": ("profiles", "render_profile"),
            "check_all": ("coherence", "check_all")}
    if name in lazy:
        mod, attr = lazy[name]
        return getattr(importlib.import_module(f".{mod}", __name__), attr)
    # modules (``migstats.fetch`` is the module: ``migstats.fetch.fetch()`` gets the sources)
    if name in ("countries", "groups", "store", "indicators", "maps", "charts", "profiles", "render",
                "geography", "models", "flows", "narrative", "explore", "style", "fetch", "registry",
                "coherence", "publication", "datasets", "dashboard", "workshop", "labels"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'migstats' has no attribute {name!r}")


__all__ = [
    "__version__", "resolve", "resolve_many", "country_table", "Country", "resolve_group", "list_groups",
    "Group", "build", "load", "load_boundaries", "provenance", "profile", "group_profile", "Profile",
    "Figure", "corridors", "render_profile", "check_all", "MigstatsError", "CountryNotFoundError",
    "AmbiguousCountryError", "AreaNotCoveredError", "GroupNotFoundError", "DataNotAvailableError", "SourceLayoutError",
    "SourceMissingError", "SourceVerificationError", "StoreNotBuiltError",
]
