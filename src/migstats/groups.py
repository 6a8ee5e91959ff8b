"""Groups of countries: UN and World Bank regions, income groups and named partner groups.

Migration programmes are planned regionally, so every indicator that works for a
country also works for a :class:`Group` (see :func:`migstats.indicators.group_profile`).

Groups come from:

* the UN DESA aggregates (IMS 2020 Annex: SDG regions, subregions, geographic regions,
  development groups and World Bank income groups as UN DESA classified them);
* the World Bank regions and income groups of the WDI country metadata (current vintage);
* named partner groups that are not statistical aggregates (:data:`PARTNER_GROUPS`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pandas as pd

from . import store
from .countries import normalise_name, resolve
from .exceptions import GroupNotFoundError

__all__ = ["Group", "PARTNER_GROUPS", "resolve_group", "list_groups"]

#: Named partner groups (ISO3 members) with the body that defines them.
PARTNER_GROUPS: dict[str, tuple[tuple[str, ...], str]] = {
    "Eastern Partnership": (("ARM", "AZE", "BLR", "GEO", "MDA", "UKR"),
                            "EU Eastern Partnership (Prague declaration, 2009; Belarus suspended "
                            "its participation in 2021)"),
    "Central Asia": (("KAZ", "KGZ", "TJK", "TKM", "UZB"), "UN M49 subregion Central Asia (143)"),
    "Western Balkans": (("ALB", "BIH", "MKD", "MNE", "SRB"),
                        "EU Western Balkans (Kosovo is counted within Serbia by UN DESA)"),
    "EU27": (("AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC",
              "HUN", "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK",
              "SVN", "ESP", "SWE"), "European Union member states since 1 February 2020"),
    "Gulf Cooperation Council": (("ARE", "BHR", "KWT", "OMN", "QAT", "SAU"), "GCC member states"),
    "ASEAN": (("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM"),
              "ASEAN member states"),
}


@dataclass(frozen=True)
class Group:
    """A named set of UN DESA countries or areas.

    Attributes
    ----------
    name : str
    kind : str
        e.g. ``"Partner group"``, ``"SDG region"``, ``"World Bank region"``.
    members : tuple of int
        M49 location codes of the members.
    source : str
        Who defines the group.
    location_code : int or None
        M49 code of the UN DESA aggregate the group is (its published rows are then the
        group's own totals), ``None`` for other groups.
    """

    name: str
    kind: str
    members: tuple[int, ...]
    source: str
    location_code: int | None = None

    @property
    def iso3(self) -> list[str]:
        return [resolve(m).iso3 for m in self.members]


def _all_groups(data_dir=None) -> list[Group]:
    countries = store.load("countries", data_dir)
    by_iso3 = dict(zip(countries["iso3"], countries["location_code"].astype(int)))
    out = [Group(name, "Partner group", tuple(sorted(by_iso3[i] for i in iso if i in by_iso3)), src)
           for name, (iso, src) in PARTNER_GROUPS.items()]
    aggs = store.load("aggregates", data_dir)
    members = store.load("aggregate_members", data_dir)
    by_agg = members.groupby("aggregate_code")["location_code"].apply(lambda s: tuple(sorted(map(int, s))))
    for code, name, kind in zip(aggs["location_code"], aggs["name"], aggs["kind"]):
        mem = by_agg.get(code)
        if mem:
            out.append(Group(name, kind, mem, "UN DESA, International Migrant Stock 2020 Annex", int(code)))
    for col, kind, src in (("wb_region", "World Bank region", "World Bank WDI country metadata"),
                           ("income_group", "World Bank income group", "World Bank WDI country metadata")):
        for name, part in countries.dropna(subset=[col]).groupby(col):
            out.append(Group(str(name), kind, tuple(sorted(part["location_code"].astype(int))), src))
    return out


def list_groups(*, data_dir=None) -> pd.DataFrame:
    """Every group migstats knows: name, kind, number of members, source."""
    return pd.DataFrame([(g.name, g.kind, len(g.members), g.source) for g in _all_groups(data_dir)],
                        columns=["name", "kind", "members", "source"])


def resolve_group(name, *, data_dir=None) -> Group:
    """Find a group by name (case, accents and punctuation ignored).

    Partner groups come first, then UN DESA aggregates, then World Bank regions and income
    groups. A list of country inputs (``["BLR", "UKR"]``) makes an ad-hoc group.

    Raises
    ------
    GroupNotFoundError
        With the closest group names.
    """
    if isinstance(name, Group):
        return name
    if isinstance(name, (list, tuple)):
        codes = tuple(sorted({resolve(m, data_dir=data_dir).location_code for m in name}))
        return Group("Custom group", "User-defined", codes, "user-defined list")
    key = normalise_name(name)
    groups = _all_groups(data_dir)
    for g in groups:
        if normalise_name(g.name) == key:
            return g
    names = [g.name for g in groups]
    close = difflib.get_close_matches(str(name), names, n=5, cutoff=0.5)
    close += [n for n in names if key and key in normalise_name(n)]
    raise GroupNotFoundError(name, list(dict.fromkeys(close))[:5])
