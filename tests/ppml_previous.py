"""The hand-written PPML engine migstats used before it moved to pyfixest (kept for comparison only).

This is the estimation code of ``migstats.models`` as of commit 4058272 (before issue 14),
unchanged apart from its imports: IRLS with the fixed effects profiled out by weighted
alternating projections (``engine="demeaned"``) and statsmodels' GLM with one dummy column per
fixed effect (``engine="statsmodels"``). It is not part of the library. ``tests/test_models.py``
checks that :func:`migstats.models.fit_gravity` (pyfixest ``fepois``) reproduces it on the
specifications it supported, and ``benchmarks/analysis_speed.py`` times it against pyfixest on
the world model in the same run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

FIXED_EFFECTS = (False, "origin", "destination", "both")
DEFAULT_TERMS = ("log_distance", "contiguous", "log_origin_population", "log_destination_population",
                 "log_origin_gdp_pc", "log_destination_gdp_pc")


# -- fitting ----------------------------------------------------------------------------------------
@dataclass
class GravityResult:
    """A fitted PPML gravity model.

    Attributes
    ----------
    coefficients : DataFrame
        ``term``, ``estimate``, ``std_error``, ``z``, ``p_value`` (normal), ``conf_low``,
        ``conf_high`` (95 %). Estimates are elasticities for log terms and log-point
        effects for 0/1 terms.
    fitted : DataFrame
        Pairs used in the fit: ``origin_code``, ``destination_code``, ``observed``,
        ``predicted`` (persons).
    nobs : int
        Number of pairs used.
    pseudo_r2 : float
        Squared correlation of observed and predicted (Santos Silva & Tenreyro 2006).
    deviance : float
        Poisson deviance.
    fixed_effects : str or False
    cov : str
        ``"HC1"`` or ``"cluster"`` (with ``cluster``).
    n_dropped : dict
        Rows left out and why (missing regressor; fixed-effect group with only zeros).
    """

    coefficients: pd.DataFrame
    fitted: pd.DataFrame
    nobs: int
    pseudo_r2: float
    deviance: float
    fixed_effects: str | bool
    cov: str
    cluster: str | None
    engine: str
    iterations: int
    n_dropped: dict = field(default_factory=dict)
    attrs: dict = field(default_factory=dict)

    def estimate(self, term: str) -> float:
        """Point estimate of one term."""
        return float(self.coefficients.set_index("term").at[term, "estimate"])

    def summary(self) -> str:
        """Plain-text summary (coefficients, fit statistics, sample)."""
        head = (f"PPML gravity model: fixed effects={self.fixed_effects or 'none'}, cov={self.cov}"
                f"{' by ' + self.cluster if self.cov == 'cluster' else ''}, n={self.nobs:,}, "
                f"pseudo R2={self.pseudo_r2:.3f}")
        return head + "\n" + self.coefficients.to_string(index=False, float_format=lambda v: f"{v:.4f}")


def _default_terms(fixed_effects) -> list[str]:
    terms = list(DEFAULT_TERMS)
    if fixed_effects in ("origin", "both"):
        terms = [t for t in terms if "origin" not in t]
    if fixed_effects in ("destination", "both"):
        terms = [t for t in terms if "destination" not in t]
    return terms


def fit_gravity(data: pd.DataFrame, fixed_effects: str | bool = False, cov: str = "HC1", *,
                cluster: str = "pair", terms=None, engine: str = "auto", tol: float = 1e-10,
                max_iter: int = 200) -> GravityResult:
    """Fit a PPML gravity model (Poisson GLM, log link, on levels with zeros).

    Parameters
    ----------
    data : DataFrame
        From :func:`gravity_data` or any table with ``origin_code``, ``destination_code``,
        ``migrants`` (persons, >= 0) and the ``terms`` columns.
    fixed_effects : {False, "origin", "destination", "both"}
        Country fixed effects. Regressors that vary only by the absorbed side are dropped
        from the default terms.
    cov : {"HC1", "cluster"}
        Robust covariance (White's HC0 times n/(n-k), k counting fixed effects; note that
        statsmodels' own GLM "HC1" omits this factor) or cluster-robust (statsmodels'
        small-sample correction G/(G-1) * (n-1)/(n-k)).
    cluster : {"pair", "origin"}
        Clusters for ``cov="cluster"``: the unordered country pair, or the origin.
    terms : sequence of str, optional
        Regressor columns (default :data:`DEFAULT_TERMS` minus those absorbed).
    engine : {"auto", "statsmodels", "demeaned"}
        ``"statsmodels"``: GLM with a dummy column per fixed effect; ``"demeaned"``: IRLS
        with fixed effects profiled out (default when there are fixed effects).

    Returns
    -------
    GravityResult

    Raises
    ------
    ValueError
        Unknown options, no usable rows (no overlap of migrants and regressors), all
        corridors zero, or negative counts.
    """
    if fixed_effects in (None, "none"):
        fixed_effects = False
    if fixed_effects not in FIXED_EFFECTS:
        raise ValueError(f"fixed_effects must be one of {FIXED_EFFECTS}, not {fixed_effects!r}")
    if cov not in ("HC1", "cluster"):
        raise ValueError(f"cov must be 'HC1' or 'cluster', not {cov!r}")
    if cluster not in ("pair", "origin"):
        raise ValueError(f"cluster must be 'pair' or 'origin', not {cluster!r}")
    if engine not in ("auto", "statsmodels", "demeaned"):
        raise ValueError(f"engine must be 'auto', 'statsmodels' or 'demeaned', not {engine!r}")
    terms = list(terms) if terms is not None else _default_terms(fixed_effects)
    need = ["origin_code", "destination_code", "migrants", *terms]
    missing = [c for c in need if c not in data.columns]
    if missing:
        raise ValueError(f"data lacks columns {missing}; build it with migstats.models.gravity_data() "
                         "or add them.")
    if not terms:
        raise ValueError("No regressors left: pass terms=[...] (with fixed_effects='both' only pair "
                         "variables such as log_distance and contiguous can be estimated).")

    d = data[need].copy()
    n_in = len(d)
    d = d.dropna()
    dropped = {"missing_values": n_in - len(d)}
    y = d["migrants"].to_numpy(dtype="float64")
    if len(d) == 0:
        raise ValueError(f"No pair has both migrants and all regressors {terms} (no overlap); check the "
                         "year and that GDP/population exist for it (gravity_data().isna().sum()).")
    if (y < 0).any():
        raise ValueError("migrants must be non-negative counts.")
    if not (y > 0).any():
        raise ValueError("All corridors are zero: a gravity model needs some positive migrant counts; "
                         "check the dataset and year passed to gravity_data().")
    # fixed-effect groups whose outcomes are all zero have no finite estimate: drop them
    sides = {"origin": ["origin_code"], "destination": ["destination_code"],
             "both": ["origin_code", "destination_code"]}.get(fixed_effects, [])
    zero_groups = 0
    while sides:
        keep = np.ones(len(d), dtype=bool)
        for col in sides:
            tot = d.groupby(col)["migrants"].transform("sum").to_numpy()
            keep &= tot > 0
        if keep.all():
            break
        zero_groups += int((~keep).sum())
        d = d[keep]
    dropped["all_zero_fixed_effect"] = zero_groups
    y = d["migrants"].to_numpy(dtype="float64")
    X = d[terms].to_numpy(dtype="float64")
    const = np.ptp(X, axis=0) == 0
    if const.any():
        raise ValueError(f"Terms {[t for t, c in zip(terms, const) if c]} are constant in the sample "
                         "(absorbed by the fixed effects or no variation); drop them from terms.")
    if fixed_effects:
        within = _demean(X, np.ones(len(X)), _fe_codes(d, fixed_effects))
        absorbed = np.abs(within).max(axis=0) <= 1e-9 * (np.abs(X).max(axis=0) + 1.0)
        if absorbed.any():
            raise ValueError(f"Terms {[t for t, a in zip(terms, absorbed) if a]} are constant within the "
                             f"{fixed_effects} fixed effects (absorbed by them); drop them from terms.")
    groups = _clusters(d, cluster) if cov == "cluster" else None

    use_sm = engine == "statsmodels" or (engine == "auto" and not fixed_effects)
    if use_sm:
        params, vcov, mu, iters = _fit_statsmodels(d, y, X, terms, fixed_effects, cov, groups, tol, max_iter)
        engine_used = "statsmodels"
    else:
        params, vcov, mu, iters = _fit_demeaned(d, y, X, fixed_effects, cov, groups, tol, max_iter)
        engine_used = "demeaned"
    names = terms if fixed_effects else ["const", *terms]
    coef = _coef_table(names, params, vcov)
    fitted = pd.DataFrame({"origin_code": d["origin_code"].to_numpy(),
                           "destination_code": d["destination_code"].to_numpy(),
                           "observed": y, "predicted": mu})
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = 2 * np.sum(np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu))
    r2 = float(np.corrcoef(y, mu)[0, 1] ** 2)
    attrs = {k: v for k, v in data.attrs.items() if k in ("dataset", "year", "sources", "edition")}
    return GravityResult(coefficients=coef, fitted=fitted, nobs=int(len(y)), pseudo_r2=r2, deviance=float(dev),
                         fixed_effects=fixed_effects, cov=cov, cluster=cluster if cov == "cluster" else None,
                         engine=engine_used, iterations=int(iters), n_dropped=dropped, attrs=attrs)


def _clusters(d: pd.DataFrame, cluster: str) -> np.ndarray:
    o = d["origin_code"].to_numpy()
    if cluster == "origin":
        return pd.factorize(o)[0]
    t = d["destination_code"].to_numpy()
    lo, hi = np.minimum(o, t), np.maximum(o, t)
    return pd.factorize(pd.MultiIndex.from_arrays([lo, hi]))[0]


def _coef_table(names, params, vcov) -> pd.DataFrame:
    from scipy import stats

    se = np.sqrt(np.clip(np.diag(vcov), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = params / se
    q = stats.norm.ppf(0.975)
    return pd.DataFrame({"term": list(names), "estimate": params, "std_error": se, "z": z,
                         "p_value": 2 * stats.norm.sf(np.abs(z)),
                         "conf_low": params - q * se, "conf_high": params + q * se})


def _fe_codes(d: pd.DataFrame, fixed_effects) -> list[np.ndarray]:
    out = []
    if fixed_effects in ("origin", "both"):
        out.append(pd.factorize(d["origin_code"])[0])
    if fixed_effects in ("destination", "both"):
        out.append(pd.factorize(d["destination_code"])[0])
    return out


def _fit_statsmodels(d, y, X, terms, fixed_effects, cov, groups, tol, max_iter):
    """Reference engine: statsmodels GLM Poisson with explicit dummy columns."""
    import statsmodels.api as sm

    blocks = [np.ones((len(y), 1)), X]
    for codes in _fe_codes(d, fixed_effects):
        dummies = np.zeros((len(y), codes.max() + 1))
        dummies[np.arange(len(y)), codes] = 1.0
        blocks.append(dummies[:, 1:])  # first level is the reference
    Z = np.hstack(blocks)
    model = sm.GLM(y, Z, family=sm.families.Poisson())
    # statsmodels' GLM "HC1" applies no small-sample factor (it equals HC0): apply n/(n-k) here
    kw = {"cov_type": "HC0"} if cov == "HC1" else {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
    res = model.fit(tol=tol, maxiter=max_iter, **kw)
    factor = len(y) / (len(y) - Z.shape[1]) if cov == "HC1" else 1.0
    k = X.shape[1]
    if fixed_effects:
        sel = slice(1, 1 + k)
    else:
        sel = slice(0, 1 + k)
    params = np.asarray(res.params)[sel]
    vcov = factor * np.asarray(res.cov_params())[sel, sel]
    return params, vcov, np.asarray(res.fittedvalues), res.fit_history.get("iteration", 0)


def _demean(V: np.ndarray, w: np.ndarray, fe: list[np.ndarray], tol: float = 1e-11,
            max_sweeps: int = 10_000) -> np.ndarray:
    """Weighted residuals of the columns of ``V`` on the fixed effects (alternating projections)."""
    V = V.copy()
    sw = [np.bincount(g, weights=w) for g in fe]
    scale = np.abs(V).max(axis=0) + 1e-300
    for _ in range(max_sweeps):
        change = 0.0
        for g, s in zip(fe, sw):
            means = np.column_stack([np.bincount(g, weights=w * V[:, j]) for j in range(V.shape[1])]) / s[:, None]
            V -= means[g]
            change = max(change, float((np.abs(means).max(axis=0) / scale).max()))
        if change < tol or len(fe) == 1:
            break
    return V


def _fit_demeaned(d, y, X, fixed_effects, cov, groups, tol, max_iter):
    """IRLS for Poisson with the fixed effects profiled out (FWL within each WLS step)."""
    fe = _fe_codes(d, fixed_effects)
    mu = (y + y.mean()) / 2.0
    eta = np.log(mu)
    dev_old = np.inf
    beta = np.zeros(X.shape[1])
    it = 0
    for it in range(1, max_iter + 1):
        z = eta + (y - mu) / mu
        V = _demean(np.column_stack([z, X]), mu, fe)
        zt, Xt = V[:, 0], V[:, 1:]
        XtW = Xt.T * mu
        beta = np.linalg.solve(XtW @ Xt, XtW @ zt)
        eta = z - (zt - Xt @ beta)
        mu = np.exp(eta)
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = 2 * np.sum(np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu))
        if abs(dev - dev_old) / (abs(dev) + 0.1) < tol:
            break
        dev_old = dev
    Xt = _demean(X, mu, fe)
    bread = np.linalg.inv((Xt.T * mu) @ Xt)
    u = Xt * (y - mu)[:, None]
    n = len(y)
    k = X.shape[1] + sum(int(g.max()) + 1 for g in fe) - (len(fe) - 1)
    if cov == "HC1":
        meat = u.T @ u
        factor = n / (n - k)
    else:
        sums = np.zeros((int(groups.max()) + 1, u.shape[1]))
        np.add.at(sums, groups, u)
        meat = sums.T @ sums
        g = sums.shape[0]
        factor = g / (g - 1) * (n - 1) / (n - k)
    return beta, factor * bread @ meat @ bread, mu, it
