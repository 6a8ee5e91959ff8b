"""Migration flows estimated from two bilateral migrant stock tables.

A bilateral stock table counts people by place of birth (rows, ``origin_code`` in the
store) and place of residence (columns, ``destination_code``) at one date. Two such tables
for the same dataset (e.g. UN DESA 2019 O-D for 2015 and 2019) bound the moves made in
between. Three families of estimators are implemented, following G. J. Abel's R package
*migest* (functions ``ffs_diff``, ``ffs_demo`` and ``ffs_rates``) and the papers it
accompanies:

:func:`flows_stock_difference`
    Stock differencing, the convention of the economics literature (Beine, Bertoli &
    Fernandez-Huertas Moraga 2016): flow i -> j = increase of the i-born stock in j.
:func:`flows_demographic_accounting`
    The demographic accounting ("stock") method of Abel (2013), Abel & Sander (2014)
    and Abel (2018): an origin x destination x birthplace table fitted to both stock
    tables by iterative proportional fitting, with the largest possible number of
    stayers. It estimates the *minimum* migration (transitions) consistent with the
    change in stocks **and** with births and deaths: without them it refuses to run,
    unless told ``natural_change="assume_none"`` (a warning then says that every change
    in a birthplace total is booked as migration).
:func:`flows_from_rates`
    Rate-based estimators (migest ``ffs_rates``): Dennett (2015), a global total shared in
    proportion to the start-of-period stocks, and Rogers & von Rabenau (1971), growth
    rates from the two tables.
:func:`flows_all_corridors`
    Any of them on two years of a bilateral dataset of the store, with native-born
    populations (the diagonal) from UN DESA population and migrant stock totals, and
    births and deaths of the period from UN World Population Prospects 2024
    (:func:`period_births_deaths`) when the store has them.

Flows are *transitions* over the whole period between the two dates (persons), not
annual counts: people who move twice are counted once, people who move and return
are not counted, and people born or dying in the period are handled only through
``births`` and ``deaths``. :func:`flows_all_corridors` labels every flow with its period
(``period``, ``period_years``) and gives ``flow_per_year`` (the flow divided by the period
length) so that periods of different length (UN DESA 2015-2019: 4 years) are not
compared as if they were 5-year totals.

References
----------
Abel, G. J. (2013). Estimating global migration flow tables using place of birth data.
*Demographic Research* 28(18), 505-546.
Abel, G. J. & Sander, N. (2014). Quantifying global international migration flows.
*Science* 343(6178), 1520-1522.
Abel, G. J. (2018). Estimates of global bilateral migration flows by gender between 1960
and 2015. *International Migration Review* 52(3), 809-852.
Abel, G. J. & Cohen, J. E. (2019). Bilateral international migration flow estimates for
200 countries. *Scientific Data* 6, 82.
Dennett, A. (2015). Estimating an annual time series of global migration flows -- an
alternative methodology for using migrant stock data. In *Global Dynamics*, 125-142.
Rogers, A. & von Rabenau, B. (1971). Estimation of interregional migration streams from
place-of-birth-by-residence data. *Demography* 8(2), 185-194.
Beine, M., Bertoli, S. & Fernandez-Huertas Moraga, J. (2016). A practitioners' guide to
gravity models of international migration. *The World Economy* 39(4), 496-512.
Abel, G. J. migest: Methods for the indirect estimation of bilateral migration (R
package), https://github.com/guyabel/migest.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .exceptions import DataNotAvailableError
from .schemas import OTHER_CODE

__all__ = ["flows_stock_difference", "flows_demographic_accounting", "flows_from_rates", "flows_all_corridors",
           "period_births_deaths", "stock_matrix", "flow_matrix", "ipf_birthplace_tables", "METHODS",
           "BIRTHPLACE_TOTAL_METHODS", "NaturalChangeWarning", "NaturalChangeMissingError"]

#: Methods accepted by :func:`flows_all_corridors`.
METHODS = ("demographic", "stock_difference", "dennett", "rogers_von_rabenau")
#: Step 3 variants of :func:`flows_demographic_accounting` (migest ``match_birthplace_tot``).
BIRTHPLACE_TOTAL_METHODS = ("rescale", "open", "open-dr")


class NaturalChangeWarning(UserWarning):
    """Flows estimated without births and deaths (natural change assumed to be zero)."""


class NaturalChangeMissingError(DataNotAvailableError):
    """The demographic method was asked to run without births and deaths."""


_NO_NATURAL_CHANGE = (
    "The demographic accounting method needs the births and deaths of the period in each place of "
    "residence: without them every change in the number of people born in a place (ageing, deaths "
    "abroad, births at home) would be booked as migration. Pass births=... and deaths=... (persons over "
    "the period, per place of residence), build the store with UN World Population Prospects "
    "(`migstats data build` with the WPP 2024 sources) for flows_all_corridors, or pass "
    "natural_change='assume_none' to assume no births and deaths (a warning is raised).")


# -- inputs ----------------------------------------------------------------------------------
def stock_matrix(stock, labels=None) -> pd.DataFrame:
    """A stock table as a square matrix (rows: place of birth, columns: place of residence).

    Parameters
    ----------
    stock : DataFrame or array_like
        Either a tidy table with columns ``origin_code`` (place of birth),
        ``destination_code`` (place of residence) and ``migrant_stock`` (persons) -- e.g. one
        year of the store's ``bilateral_stock`` -- or a square DataFrame / 2-D array with
        birthplaces as rows and residences as columns in the same order.
    labels : sequence, optional
        Row and column labels of the result (default: the union of all codes, sorted).

    Returns
    -------
    DataFrame
        Square, float64, missing cells 0.
    """
    if isinstance(stock, pd.DataFrame) and {"origin_code", "destination_code", "migrant_stock"} <= set(stock.columns):
        s = stock.groupby(["origin_code", "destination_code"])["migrant_stock"].sum()
        if labels is None:
            labels = sorted(set(s.index.get_level_values(0)) | set(s.index.get_level_values(1)))
        m = s.unstack(fill_value=0.0).reindex(index=labels, columns=labels, fill_value=0.0)
        return m.astype("float64").fillna(0.0)
    if isinstance(stock, pd.DataFrame):
        if list(stock.index) != list(stock.columns):
            if set(stock.index) != set(stock.columns):
                raise ValueError("A square stock matrix needs the same places as rows (birth) and "
                                 f"columns (residence); got rows {list(stock.index)[:5]}... and columns "
                                 f"{list(stock.columns)[:5]}...")
        labels = list(stock.index) if labels is None else list(labels)
        return stock.reindex(index=labels, columns=labels, fill_value=0.0).astype("float64").fillna(0.0)
    arr = np.asarray(stock, dtype="float64")
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"A stock matrix must be square (birthplace x residence); got shape {arr.shape}.")
    labels = list(range(arr.shape[0])) if labels is None else list(labels)
    return pd.DataFrame(np.nan_to_num(arr), index=labels, columns=labels)


def _pair(stock0, stock1) -> tuple[pd.DataFrame, pd.DataFrame]:
    m0, m1 = stock_matrix(stock0), stock_matrix(stock1)
    labels = list(m0.index) + [x for x in m1.index if x not in set(m0.index)]
    m0, m1 = stock_matrix(m0, labels), stock_matrix(m1, labels)
    if (m0.to_numpy() < 0).any() or (m1.to_numpy() < 0).any():
        raise ValueError("Stock tables must not contain negative counts.")
    return m0, m1


def _vector(values, labels, name) -> np.ndarray:
    if values is None:
        return np.zeros(len(labels))
    if isinstance(values, pd.Series):
        missing = [x for x in labels if x not in values.index]
        if missing:
            raise ValueError(f"{name} has no value for {missing[:5]}; give one per place of residence.")
        return values.reindex(labels).to_numpy(dtype="float64")
    arr = np.asarray(values, dtype="float64")
    if arr.shape != (len(labels),):
        raise ValueError(f"{name} must have one value per place ({len(labels)}), got shape {arr.shape}.")
    return arr


def flow_matrix(flows: pd.DataFrame) -> pd.DataFrame:
    """Pivot a tidy flow table (``origin_code``, ``destination_code``, ``flow``) to a square matrix."""
    labels = list(dict.fromkeys(list(flows["origin_code"]) + list(flows["destination_code"])))
    m = flows.pivot_table(index="origin_code", columns="destination_code", values="flow",
                          aggfunc="sum", fill_value=0.0, sort=False)
    return m.reindex(index=labels, columns=labels, fill_value=0.0)


def _tidy(f: np.ndarray, labels, attrs: dict) -> pd.DataFrame:
    n = len(labels)
    oi, di = np.divmod(np.arange(n * n), n)
    off = oi != di
    lab = np.asarray(labels)
    out = pd.DataFrame({"origin_code": lab[oi[off]], "destination_code": lab[di[off]],
                        "flow": f.ravel()[off]})
    out.attrs.update(attrs)
    out.attrs["total"] = float(out["flow"].sum())
    return out


# -- stock differencing ------------------------------------------------------------------------
def flows_stock_difference(stock0, stock1, decreases: str = "zero", *,
                           include_native_born: bool = False) -> pd.DataFrame:
    """Flows by stock differencing (migest ``ffs_diff``).

    With :math:`S^0_{ij}`, :math:`S^1_{ij}` the number of people born in *i* living in *j*
    at the start and the end of the period and :math:`\\Delta_{ij} = S^1_{ij} - S^0_{ij}`:

    ``decreases="zero"`` (Bertoli & Fernandez-Huertas Moraga 2015)
        :math:`F_{ij} = \\max(\\Delta_{ij}, 0)`: decreases are ignored (attributed to
        deaths or onward moves that are not counted).
    ``decreases="return"`` (Beine & Parsons 2015)
        :math:`F_{ij} = \\max(\\Delta_{ij}, 0) + \\max(-\\Delta_{ji}, 0)`: a decrease of the
        *j*-born stock in *i* is counted as a return flow from *i* back to *j*.

    The diagonal (native born) is set to zero before differencing unless
    ``include_native_born`` (as in migest, where the default is ``FALSE``); flows are
    reported for i != j only. Conventions documented in migest's ``ffs_diff`` (G. J. Abel)
    and used in Abel (2018, *International Migration Review* 52(3)).

    Parameters
    ----------
    stock0, stock1 : DataFrame or array_like
        Stocks at the start and end (see :func:`stock_matrix`), persons.
    decreases : {"zero", "return"}
        Treatment of negative differences (see above).

    Returns
    -------
    DataFrame
        ``origin_code``, ``destination_code``, ``flow`` (persons over the period) for every
        ordered pair of distinct places; ``attrs``: ``method``, ``decreases``, ``total``.
    """
    if decreases not in ("zero", "return"):
        raise ValueError(f"decreases must be 'zero' or 'return', not {decreases!r}")
    m0, m1 = _pair(stock0, stock1)
    a0, a1 = m0.to_numpy().copy(), m1.to_numpy().copy()
    if not include_native_born:
        np.fill_diagonal(a0, 0.0)
        np.fill_diagonal(a1, 0.0)
    delta = a1 - a0
    f = np.maximum(delta, 0.0)
    if decreases == "return":
        f = f + np.maximum(-delta.T, 0.0)
    return _tidy(f, list(m0.index), {"method": "stock_difference", "decreases": decreases})


# -- IPF ---------------------------------------------------------------------------------------------
def ipf_birthplace_tables(row_totals: np.ndarray, col_totals: np.ndarray, seed: np.ndarray | None = None,
                          *, tol: float = 1e-6, max_iter: int = 10_000) -> tuple[np.ndarray, np.ndarray, int]:
    """Fit one origin x destination table per birthplace to known margins (vectorised IPF).

    Solves, for every birthplace *k*, :math:`\\mu_{kij} = a_{ki}\\, m_{ij}\\, b_{kj}` with
    :math:`\\sum_j \\mu_{kij} = R_{ki}` and :math:`\\sum_i \\mu_{kij} = C_{kj}` -- the
    maximum-likelihood fit of the log-linear model with birthplace-origin and
    birthplace-destination terms and offset :math:`\\log m_{ij}` (Abel 2013, eq. 5). The
    K tables are scaled together with two matrix products per iteration (the
    3-D array is never formed).

    Parameters
    ----------
    row_totals, col_totals : ndarray (K, N)
        Origin and destination margins per birthplace (equal totals per row).
    seed : ndarray (N, N), optional
        Offset :math:`m_{ij}` (default 1 everywhere). Zero cells are structural zeros.
    tol : float
        Largest absolute margin error accepted (persons).

    Returns
    -------
    a, b : ndarray (K, N)
        Row and column factors; the fitted tables are ``a[k, :, None] * seed * b[k, None, :]``.
    iterations : int
    """
    r = np.ascontiguousarray(row_totals, dtype="float64")
    c = np.ascontiguousarray(col_totals, dtype="float64")
    m = np.ones((r.shape[1], r.shape[1])) if seed is None else np.ascontiguousarray(seed, dtype="float64")
    mt = np.ascontiguousarray(m.T)
    b = (c > 0).astype("float64")
    a = np.zeros_like(r)
    active = np.arange(r.shape[0])  # birthplaces not yet converged: only these are rescaled
    err = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        for it in range(1, max_iter + 1):
            ra, ca, ba = r[active], c[active], b[active]
            aa = np.where(ra > 0, ra / (ba @ mt), 0.0)
            aa[~np.isfinite(aa)] = 0.0
            ba = np.where(ca > 0, ca / (aa @ m), 0.0)
            ba[~np.isfinite(ba)] = 0.0
            a[active], b[active] = aa, ba
            gap = np.abs(aa * (ba @ mt) - ra).max(axis=1, initial=0.0)
            err = float(gap.max(initial=0.0))
            active = active[gap > tol]
            if active.size == 0:
                return a, b, it
    raise RuntimeError(f"IPF did not converge in {max_iter} iterations (largest margin error {err:.3g}); "
                       "check that each birthplace has equal row and column totals and that the seed "
                       "has no structural zero where flows are needed.")


# -- demographic accounting -----------------------------------------------------------------------
def flows_demographic_accounting(stock0, stock1, births=None, deaths=None, *, natural_change: str | None = None,
                                 seed=None, stayer_assumption: bool = True, match_birthplace_totals: str = "rescale",
                                 by_birthplace: bool = False, tol: float = 1e-6) -> pd.DataFrame:
    """Flows by demographic accounting with IPF (Abel 2013; Abel & Sander 2014; migest ``ffs_demo``).

    Method (the "stock" / demographic accounting method as implemented by migest 2.x
    ``ffs_demo`` with its defaults, ``birth_method="native"``,
    ``death_method="proportion"``, ``match_global="before-demo-adjust"``):

    1. *Global balance* (``match_birthplace_totals="rescale"`` only): the native-born
       diagonal of both tables is rescaled so that the change in the world total of the
       stocks equals births minus deaths (half the gap on each table). migest rounds these
       cells to integers (``rescale_integer_sum``); here they are scaled proportionally.
    2. *Births and deaths*: births of each place of residence are all native born and are
       removed from the diagonal of ``stock1`` (proportionally over the column when they
       exceed the native born); deaths are removed from ``stock0`` in proportion to each
       column's stocks (equal mortality by birthplace).
    3. *Birthplace totals*: the number of people born in *k* must be the same in both
       tables. ``"rescale"``: both tables are re-fitted (2-D IPF, residence totals kept)
       to the mean of their birthplace totals (Abel & Sander 2014). ``"open"``: the
       surplus leaves or enters the system (Abel 2018): people entering are distributed
       like the start-of-period table, people leaving like the end-of-period table.
       ``"open-dr"``: the same with the weights of Abel (2013, *Demographic Research*):
       entering like the end-of-period table, leaving like the start-of-period table
       (migest keeps it for reproduction; it prefers ``"open"``).
    4. *Flows*: for each birthplace *k*, the origin x destination table of moves between
       the two dates is fitted by IPF with rows = residence at the start
       (``stock0[k, :]``) and columns = residence at the end (``stock1[k, :]``). Under the
       stayer assumption (default) the diagonal (people who did not move) is fixed at its
       maximum ``min(stock0[k, i], stock1[k, i])`` (quasi-independence, ``ipf3_qi``), so
       the estimate is the minimum migration consistent with the stocks; otherwise the
       table is fitted under independence (Azose & Raftery 2019).

    The flow from *i* to *j* is the sum over birthplaces of the off-diagonal cells.
    ``seed`` (an origin x destination offset, e.g. inverse distance) enters the IPF of
    step 4 as :math:`\\log m_{ij}` (Abel 2013, eq. 5); note that migest 2.x ignores its
    ``seed`` when ``stayer_assumption=TRUE``, so published examples with a seed are
    reproduced only with ``seed=None``.

    Assumptions: a closed system apart from ``births``/``deaths`` (and the "open"
    adjustments); everyone alive at both dates is counted once per table; a person moves
    at most once in the period.

    Parameters
    ----------
    stock0, stock1 : DataFrame or array_like
        Stock tables (birthplace x residence, native born on the diagonal) at the start and
        the end of the period; see :func:`stock_matrix`. Persons.
    births, deaths : Series or array_like
        Births and deaths during the period per place of residence (persons), both
        required (e.g. :func:`period_births_deaths`).
    natural_change : {None, "assume_none"}
        Without ``births`` and ``deaths`` the method refuses to run
        (:class:`NaturalChangeMissingError`) unless ``"assume_none"``: births and deaths are
        then taken as 0, a :class:`NaturalChangeWarning` is raised and ``attrs["notes"]``
        says so. Every change in a birthplace total is then migration (or, with
        ``"rescale"``, spread over the native born), which overstates flows where
        populations age, die abroad or grow.
    seed : array_like (N, N), optional
        Offset for the flows (default: 1).
    stayer_assumption : bool
        Maximise stayers (default) or fit under independence.
    match_birthplace_totals : {"rescale", "open", "open-dr"}
        Step 3 variant.
    by_birthplace : bool
        Return flows by birthplace (``birthplace_code`` column, non-zero cells only).
    tol : float
        IPF tolerance (persons).

    Returns
    -------
    DataFrame
        ``origin_code``, ``destination_code``, ``flow`` (persons over the period) for every
        ordered pair of distinct places (with ``birthplace_code`` first when
        ``by_birthplace``). ``attrs``: ``method``, ``total``, ``iterations``,
        ``natural_change`` ("given" or "assumed none"), ``notes``.

    Raises
    ------
    NaturalChangeMissingError
        ``births``/``deaths`` missing and ``natural_change`` not ``"assume_none"``.
    ValueError
        Bad shapes, negative stocks, unknown options.
    """
    if match_birthplace_totals not in BIRTHPLACE_TOTAL_METHODS:
        raise ValueError(f"match_birthplace_totals must be one of {BIRTHPLACE_TOTAL_METHODS}, "
                         f"not {match_birthplace_totals!r}")
    if natural_change not in (None, "assume_none"):
        raise ValueError(f"natural_change must be None or 'assume_none', not {natural_change!r}")
    p0, p1 = _pair(stock0, stock1)
    labels = list(p0.index)
    n = len(labels)
    m1, m2 = p0.to_numpy().copy(), p1.to_numpy().copy()
    notes: list[str] = []
    if births is None or deaths is None:
        if births is not None or deaths is not None:
            raise ValueError("Pass both births and deaths (persons over the period per place of residence), "
                             "or neither with natural_change='assume_none'.")
        if natural_change != "assume_none":
            raise NaturalChangeMissingError(_NO_NATURAL_CHANGE)
        change = np.abs(m2.sum(axis=1) - m1.sum(axis=1)).sum()
        msg = ("Flows estimated without births and deaths (natural_change='assume_none'): the change in the "
               f"number of people born in each place ({change:,.0f} persons in all) is treated as migration, "
               "not as births, deaths or ageing; the flows are then an upper-bound-like artefact of the stock "
               "changes. Supply births and deaths (UN WPP) for demographic accounting.")
        warnings.warn(msg, NaturalChangeWarning, stacklevel=2)
        notes.append(msg)
        b, d = np.zeros(n), np.zeros(n)
    else:
        b = _vector(births, labels, "births")
        d = _vector(deaths, labels, "deaths")
        if np.isnan(b).any() or np.isnan(d).any():
            raise ValueError("births and deaths must not be missing (NaN) for any place; give a value for "
                             f"{[labels[i] for i in np.flatnonzero(np.isnan(b) | np.isnan(d))][:10]}.")
    if m1.sum() <= 0 or m2.sum() <= 0:
        raise ValueError("Both stock tables must contain people (their totals are zero).")
    idx = np.arange(n)

    # 1. global balance of stock change and natural change (native-born diagonal)
    if match_birthplace_totals == "rescale":
        gap = (b.sum() - d.sum()) - (m2.sum() - m1.sum())
        if gap != 0:
            t1, t2 = np.trace(m1), np.trace(m2)
            if t1 <= 0 or t2 <= 0:
                raise ValueError("The stock tables need native-born populations on the diagonal for the "
                                 "'rescale' adjustment; pass them or use match_birthplace_totals='open'.")
            m1[idx, idx] *= (t1 - gap / 2) / t1
            m2[idx, idx] *= (t2 + gap / 2) / t2
            notes.append(f"native born rescaled by {gap / 2:+,.0f} (start) and {gap / 2:+,.0f} (end) to balance "
                         "stock change with births minus deaths")

    # 2. births (native) and deaths (proportional)
    b_mat = np.zeros_like(m2)
    b_mat[idx, idx] = b
    short = np.diag(m2) - b < 0
    if short.any():
        colsum = m2.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            prop = np.where(colsum > 0, m2 / colsum, 0.0)
        b_mat[:, short] = prop[:, short] * b[short]
        notes.append(f"births exceed the native born in {[labels[i] for i in np.flatnonzero(short)]}: "
                     "subtracted in proportion to all birthplaces")
    colsum1 = m1.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        d_mat = np.where(colsum1 > 0, m1 / colsum1, 0.0) * d
    m1 = m1 - d_mat
    m2 = m2 - b_mat

    # 3. equal birthplace totals
    dd = m1.sum(axis=1) - m2.sum(axis=1)
    if match_birthplace_totals == "rescale":
        m1 = _ipf2(m1, m1.sum(axis=1) - dd / 2, m1.sum(axis=0))
        m2 = _ipf2(m2, m2.sum(axis=1) + dd / 2, m2.sum(axis=0))
    else:  # "open": entering like m1, leaving like m2; "open-dr" (Abel 2013): entering like m2, leaving like m1
        w_in, w_out = (m1, m2) if match_birthplace_totals == "open" else (m2, m1)
        rs_in, rs_out = w_in.sum(axis=1), w_out.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            inflow = np.where(rs_in[:, None] > 0, w_in * (np.maximum(-dd, 0) / rs_in)[:, None], 0.0)
            outflow = np.where(rs_out[:, None] > 0, w_out * (np.maximum(dd, 0) / rs_out)[:, None], 0.0)
        m1 = m1 - outflow
        m2 = m2 - inflow
    if (m1 < -1e-9).any() or (m2 < -1e-9).any():
        notes.append("negative cells after the demographic adjustment were set to 0")
    m1, m2 = np.maximum(m1, 0.0), np.maximum(m2, 0.0)

    # 4. IPF per birthplace: rows = residence at start, columns = residence at end
    if seed is None:
        offset = np.ones((n, n))
    else:
        offset = np.asarray(stock_matrix(seed, labels) if isinstance(seed, pd.DataFrame) else seed,
                            dtype="float64").copy()
        if offset.shape != (n, n) or (offset < 0).any():
            raise ValueError(f"seed must be a non-negative {n} x {n} matrix.")
    if stayer_assumption:
        stay = np.minimum(m1, m2)
        r, c = m1 - stay, m2 - stay
        offset[idx, idx] = 0.0
    else:
        stay = np.zeros_like(m1)
        r, c = m1, m2
    rt, ct = r.sum(axis=1), c.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = c * np.where(ct > 0, rt / ct, 0.0)[:, None]  # tiny differences left by step 3
    if seed is None and stayer_assumption:
        # rows and columns of each birthplace table are disjoint: IPF converges in one step
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(rt > 0, 1.0 / rt, 0.0)
        a, bb, iterations = r * w[:, None], c, 1
    else:
        a, bb, iterations = ipf_birthplace_tables(r, c, offset, tol=tol)
    f = offset * (a.T @ bb)
    np.fill_diagonal(f, 0.0)
    attrs = {"method": "demographic", "stayer_assumption": stayer_assumption,
             "match_birthplace_totals": match_birthplace_totals, "iterations": iterations, "notes": notes,
             "natural_change": "assumed none" if births is None else "given"}
    if not by_birthplace:
        return _tidy(f, labels, attrs)
    mu = a[:, :, None] * offset[None, :, :] * bb[:, None, :]
    mu[:, idx, idx] = 0.0
    k, i, j = np.nonzero(mu > 0)
    lab = np.asarray(labels)
    out = pd.DataFrame({"birthplace_code": lab[k], "origin_code": lab[i], "destination_code": lab[j],
                        "flow": mu[k, i, j]})
    out.attrs.update(attrs)
    out.attrs["total"] = float(out["flow"].sum())
    return out


# -- rates -----------------------------------------------------------------------------------------------
def flows_from_rates(stock0, stock1=None, *, method: str = "dennett", total: float | None = None) -> pd.DataFrame:
    """Flows from migration rates (migest ``ffs_rates``).

    ``method="dennett"`` (Dennett 2015)
        A global number of moves ``total`` is shared out in proportion to the start-of-period
        stocks of people born in *i* living in *j* (native born excluded):
        :math:`F_{ij} = M\\, S^0_{ij} / \\sum_{k \\ne l} S^0_{kl}`. ``total`` must come from
        elsewhere (migest's example uses the sum of absolute changes in residence totals).
    ``method="rogers_von_rabenau"`` (Rogers & von Rabenau 1971)
        A matrix of growth rates :math:`G` with :math:`S^1 = S^0 G` (solved as
        :math:`G = (S^0)^{-1} S^1`) is multiplied by the population at risk, the
        start-of-period residence total of the origin: :math:`F_{ij} = G_{ij} \\sum_k S^0_{ki}`.
        Flows can be negative (as migest warns); they are returned as computed.

    Parameters
    ----------
    stock0, stock1 : DataFrame or array_like
        Stocks (birthplace x residence, persons) at the start and end; ``stock1`` only for
        Rogers-von Rabenau.
    method : {"dennett", "rogers_von_rabenau"}
    total : float
        Global number of moves in the period (persons), Dennett only.

    Returns
    -------
    DataFrame
        ``origin_code``, ``destination_code``, ``flow`` (persons over the period) for every
        ordered pair of distinct places; ``attrs``: ``method``, ``total``.
    """
    method = method.replace("-", "_")
    if method == "dennett":
        if total is None or not np.isfinite(total) or total < 0:
            raise ValueError("The Dennett method shares a known global number of moves: pass total=... "
                             "(persons over the period).")
        m0 = stock_matrix(stock0)
        a = m0.to_numpy().copy()
        np.fill_diagonal(a, 0.0)
        if a.sum() <= 0:
            raise ValueError("The start-of-period table has no foreign-born stocks to share the total over.")
        return _tidy(float(total) * a / a.sum(), list(m0.index), {"method": "dennett"})
    if method == "rogers_von_rabenau":
        if stock1 is None:
            raise ValueError("The Rogers-von Rabenau method needs stock1 (the end-of-period table).")
        m0, m1 = _pair(stock0, stock1)
        a0, a1 = m0.to_numpy(), m1.to_numpy()
        try:
            g = np.linalg.solve(a0, a1)
        except np.linalg.LinAlgError:
            raise ValueError("The start-of-period table is singular: growth rates cannot be solved for "
                             "(Rogers-von Rabenau needs an invertible stock matrix).") from None
        f = g * a0.sum(axis=0)[:, None]
        np.fill_diagonal(f, 0.0)
        out = _tidy(f, list(m0.index), {"method": "rogers_von_rabenau"})
        if (f < 0).any():
            out.attrs["notes"] = [f"{int((f < 0).sum())} negative flows (the method does not prevent them)"]
        return out
    raise ValueError(f"method must be 'dennett' or 'rogers_von_rabenau', not {method!r}")


def _ipf2(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, tol: float = 1e-6,
          max_iter: int = 10_000) -> np.ndarray:
    """2-D IPF of ``seed`` to row and column totals (rows fitted last)."""
    x = seed.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(max_iter):
            cs = x.sum(axis=0)
            x *= np.where(cs > 0, cols / cs, 0.0)[None, :]
            rs = x.sum(axis=1)
            x *= np.where(rs > 0, rows / rs, 0.0)[:, None]
            if np.abs(x.sum(axis=0) - cols).max(initial=0.0) <= tol:
                break
    return x


# -- the store ------------------------------------------------------------------------------------
def _undesa_stock_tables(dataset: str, year0: int, year1: int, data_dir=None):
    from . import store

    b = store.load("bilateral_stock", data_dir)
    b = b[(b["dataset"] == dataset) & (b["sex"] == "both")]
    if b.empty:
        datasets = sorted(store.load("bilateral_stock", data_dir)["dataset"].unique())
        raise DataNotAvailableError(f"Bilateral dataset {dataset!r} is not in the store; available: {datasets}.")
    years = sorted(int(y) for y in b["year"].unique())
    for y in (year0, year1):
        if y not in years:
            raise DataNotAvailableError(
                f"{dataset} has no table for {y}; its years are {years}. Choose year0 < year1 among them "
                "(flows need two tables of the same dataset).")
    if year1 <= year0:
        raise ValueError(f"year1 ({year1}) must be after year0 ({year0}).")
    unknown = {int(y): float(b[(b["year"] == y) & (b["origin_code"] == OTHER_CODE)]["migrant_stock"].sum())
               for y in (year0, year1)}
    b = b[(b["origin_code"] != OTHER_CODE) & (b["destination_code"] != OTHER_CODE)]
    edition = int(b["edition"].iloc[0])
    codes = sorted(set(b["origin_code"]) | set(b["destination_code"]))
    pop = store.load("population", data_dir)
    dest = store.load("destination_stock", data_dir)
    mats = []
    for y in (year0, year1):
        arr = stock_matrix(b[b["year"] == y], codes).to_numpy().copy()
        p = _by_code(pop, "population", edition, y)
        t = _by_code(dest, "migrant_stock", edition, y)
        native = (p.reindex(codes) - t.reindex(codes)).clip(lower=0).fillna(0.0).to_numpy()
        arr[np.arange(len(codes)), np.arange(len(codes))] = native
        mats.append(pd.DataFrame(arr, index=codes, columns=codes))
    return mats[0], mats[1], edition, unknown


def _by_code(table: pd.DataFrame, col: str, edition: int, year: int) -> pd.Series:
    eds = sorted(table["edition"].unique(), key=lambda e: abs(int(e) - edition))
    for ed in eds:
        t = table[(table["edition"] == ed) & (table["year"] == year) & (table["sex"] == "both")]
        if len(t):
            return t.set_index("location_code")[col]
    raise DataNotAvailableError(f"No UN DESA {col} for {year} in any edition of the store.")


#: Share of a calendar year's births or deaths that falls in a period starting or ending at mid-year.
_MID_YEAR_WEIGHT = 0.5


def period_births_deaths(year0: int, year1: int, *, data_dir=None) -> pd.DataFrame:
    """Births and deaths between two mid-year stock dates, from UN WPP 2024 in the store.

    UN DESA migrant stocks refer to 1 July (mid-year); WPP counts are calendar years. The
    period from mid-``year0`` to mid-``year1`` takes half of ``year0``'s and ``year1``'s
    counts and all of the years in between: for mid-2015 to mid-2020,
    :math:`0.5\\,B_{2015} + B_{2016} + \\dots + B_{2019} + 0.5\\,B_{2020}` (events spread
    evenly over each calendar year).

    Parameters
    ----------
    year0, year1 : int
        Stock years (mid-year dates), ``year0 < year1``.

    Returns
    -------
    DataFrame
        ``location_code`` (int32), ``births``, ``deaths`` (persons over the period), one row
        per area with both counts for every calendar year needed. ``attrs``: ``source``,
        ``edition``, ``years`` (calendar years used), ``convention``, ``missing`` (areas of
        the store's ``countries`` table without complete WPP figures).

    Raises
    ------
    DataNotAvailableError
        The store has no ``wpp_indicators`` table (build it with the WPP 2024 sources), or
        it lacks some of the calendar years (WPP 2024 estimates end in 2023).
    """
    from . import store

    year0, year1 = int(year0), int(year1)
    if year1 <= year0:
        raise ValueError(f"year1 ({year1}) must be after year0 ({year0}).")
    if "wpp_indicators" not in store.provenance(data_dir)["tables"]:
        raise DataNotAvailableError(
            "The store has no UN World Population Prospects table ('wpp_indicators'): rebuild it with the WPP "
            "2024 sources (`migstats data fetch` then `migstats data build`), or pass births and deaths yourself.")
    w = store.load("wpp_indicators", data_dir)
    w = w[w["measure"].isin(["births", "deaths"]) & w["year"].between(year0, year1)]
    if w.empty:
        raise DataNotAvailableError(f"WPP has no births or deaths for {year0}-{year1} in the store.")
    edition = int(w["edition"].max())
    w = w[w["edition"] == edition]
    need = list(range(year0, year1 + 1))
    have = sorted(int(y) for y in w["year"].unique())
    lacking = [y for y in need if y not in have]
    if lacking:
        raise DataNotAvailableError(
            f"WPP {edition} in the store has no births/deaths for {lacking} (it has {have[0]}-{have[-1]}): flows for "
            f"mid-{year0} to mid-{year1} need every calendar year from {year0} to {year1}. Pass births and deaths "
            "yourself (e.g. with WPP projections for the missing years).")
    weight = np.where(w["year"].isin([year0, year1]), _MID_YEAR_WEIGHT, 1.0)
    w = w.assign(weighted=w["value"].to_numpy(dtype="float64") * weight)
    complete = w.groupby(["location_code", "measure"])["year"].nunique() == len(need)
    sums = w.groupby(["location_code", "measure"])["weighted"].sum().where(complete)
    out = sums.unstack("measure").reindex(columns=["births", "deaths"]).dropna().reset_index()
    out["location_code"] = out["location_code"].astype("int32")
    countries = store.load("countries", data_dir)["location_code"]
    out = out[out["location_code"].isin(countries)].reset_index(drop=True)
    out.attrs.update(
        source=f"UN World Population Prospects {edition} (births, deaths; calendar-year estimates)",
        edition=edition, years=need, convention=(
            f"mid-{year0} to mid-{year1}: half of {year0} and {year1}, all of the years in between"),
        missing=sorted(int(c) for c in set(countries) - set(out["location_code"])))
    return out


def flows_all_corridors(dataset: str = "undesa_2019_od_csv", year0: int = 2015, year1: int = 2019,
                        method: str = "demographic", *, decreases: str = "zero", births=None, deaths=None,
                        natural_change: str | None = None, match_birthplace_totals: str = "rescale",
                        total: float | None = None, data_dir=None) -> pd.DataFrame:
    """Flows between all areas of a bilateral stock dataset over one period.

    The stock tables are the dataset's two years (both sexes; migrants of unknown origin
    are left out, their number is in ``attrs["unknown_origin"]``). For the demographic
    method the diagonal holds the native born: UN DESA total population minus total
    international migrant stock (same edition, Tables 1 and 2), floored at 0.

    Births and deaths (demographic method): ``births``/``deaths`` when given; otherwise the
    store's UN WPP table when it exists (:func:`period_births_deaths`; areas without WPP
    figures -- the Holy See -- are left out of the system and listed in
    ``attrs["notes"]``); otherwise the method refuses
    (:class:`NaturalChangeMissingError`) unless ``natural_change="assume_none"``.

    Parameters
    ----------
    dataset : str
        Registry key of the bilateral dataset with tables for ``year0`` and ``year1``.
    year0, year1 : int
        Start and end of the period (mid-year dates; UN DESA steps are 5 years, the last one
        of the 2019 revision 4 years).
    method : {"demographic", "stock_difference", "dennett", "rogers_von_rabenau"}
        :func:`flows_demographic_accounting`, :func:`flows_stock_difference` (with
        ``decreases``) or :func:`flows_from_rates` (Dennett needs ``total``).
    births, deaths : Series, optional
        Persons over the period per place of residence (index: location code).
    natural_change : {None, "assume_none"}
        See :func:`flows_demographic_accounting`.
    match_birthplace_totals : {"rescale", "open", "open-dr"}
        Demographic method, step 3.

    Returns
    -------
    DataFrame
        ``origin_code``, ``destination_code`` (int32), ``flow`` (persons over the period),
        ``flow_per_year`` (``flow / period_years``: average per year, not a count of annual
        moves), ``period`` ("2015-2019"). ``attrs``: ``dataset``, ``edition``, ``year0``,
        ``year1``, ``period_years``, ``method``, ``total``, ``total_per_year``,
        ``births_deaths_source``, ``unknown_origin``, ``notes`` and the estimator's attributes.

    Raises
    ------
    DataNotAvailableError
        The dataset or one of the years is not in the store; births/deaths needed and
        missing (:class:`NaturalChangeMissingError`).
    """
    from . import store

    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    year0, year1 = int(year0), int(year1)
    s0, s1, edition, unknown = _undesa_stock_tables(dataset, year0, year1, data_dir)
    notes = [f"migrants of unknown origin left out: {unknown[year0]:,.0f} ({year0}), {unknown[year1]:,.0f} "
             f"({year1})"] if any(unknown.values()) else []
    source = None
    if method == "demographic":
        if births is None and deaths is None and natural_change != "assume_none":
            if "wpp_indicators" not in store.provenance(data_dir)["tables"]:
                raise NaturalChangeMissingError(_NO_NATURAL_CHANGE)
            vital = period_births_deaths(year0, year1, data_dir=data_dir).set_index("location_code")
            have = [c for c in s0.index if c in vital.index]
            left = [c for c in s0.index if c not in vital.index]
            if left:
                notes.append(f"areas without WPP births/deaths left out of the system: {left} "
                             f"({s0[left].to_numpy().sum():,.0f} residents at the start)")
                s0, s1 = s0.loc[have, have], s1.loc[have, have]
            births, deaths = vital.loc[have, "births"], vital.loc[have, "deaths"]
            source = f"{vital.attrs['source']}; {vital.attrs['convention']}"
        elif births is not None or deaths is not None:
            source = "supplied by the caller"
        else:
            source = "none (natural_change='assume_none')"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NaturalChangeWarning)
            out = flows_demographic_accounting(s0, s1, births=births, deaths=deaths, natural_change=natural_change,
                                               match_birthplace_totals=match_birthplace_totals)
        if source.startswith("none"):
            warnings.warn(out.attrs["notes"][0], NaturalChangeWarning, stacklevel=2)
    elif method == "stock_difference":
        out = flows_stock_difference(s0, s1, decreases=decreases)
    else:
        out = flows_from_rates(s0, s1, method=method, total=total)
    years = year1 - year0
    out = out.astype({"origin_code": "int32", "destination_code": "int32"})
    out["flow_per_year"] = out["flow"] / years
    out["period"] = pd.array([f"{year0}-{year1}"] * len(out), dtype="str")
    out.attrs.update(dataset=dataset, edition=edition, year0=year0, year1=year1, period_years=years,
                     method=method, births_deaths_source=source, unknown_origin=unknown,
                     total_per_year=out.attrs["total"] / years,
                     notes=notes + list(out.attrs.get("notes", [])))
    return out
