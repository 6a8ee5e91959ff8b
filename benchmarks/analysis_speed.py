"""Speed of the analysis layer on the real store: world gravity model and flows for all corridors.

Run::

    MIGSTATS_DATA_DIR=/path/to/data python benchmarks/analysis_speed.py [--repeat 3]

Targets: world gravity fit (about 230 x 230 pairs, 2019, origin and destination fixed effects,
clustered SEs) < 30 s; flows for all corridors of one period < 10 s. Each path is timed
against a same-run baseline computing the same numbers another way:

* gravity: :func:`migstats.models.fit_gravity` (pyfixest ``fepois``, incl. its separation
  checks) vs the hand-written IRLS engine migstats used before (``tests/ppml_previous.py``,
  ``engine="demeaned"``), on the same sample (every cell, unreported ones as zeros, as the
  previous engine fitted them), with the largest coefficient and standard-error differences;
  ``--dense`` adds the previous statsmodels reference with one dummy column per fixed effect
  (about 30 s);
* flows: the IPF step of the demographic method on the real 2015/2019 margins with an
  inverse-distance offset -- (a) a Python loop over birthplaces, each origin x destination
  table fitted by 2-D IPF (as migest's ``ipf2`` per table), (b) the dense birthplace x origin
  x destination array scaled as a whole (as R's ``mipfp`` in migest's ``ffs_demo``) -- vs
  :func:`migstats.flows.ipf_birthplace_tables` (all birthplaces in two matrix products per
  iteration, converged birthplaces dropped). Without an offset the demographic method needs
  no iteration at all (closed form), which is what ``flows_all_corridors`` uses.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def _best(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def naive_ipf(r: np.ndarray, c: np.ndarray, seed: np.ndarray, tol: float = 1e-6, max_iter: int = 10_000):
    """Baseline: one 2-D IPF per birthplace in a Python loop; returns the K x N x N fitted tables."""
    k, n = r.shape
    out = np.zeros((k, n, n))
    for kk in range(k):
        if r[kk].sum() <= 0:
            continue
        x = seed.copy()
        for _ in range(max_iter):
            rs = x.sum(axis=1)
            x *= np.divide(r[kk], rs, out=np.zeros(n), where=rs > 0)[:, None]
            cs = x.sum(axis=0)
            x *= np.divide(c[kk], cs, out=np.zeros(n), where=cs > 0)[None, :]
            if np.abs(x.sum(axis=1) - r[kk]).max() <= tol:
                break
        out[kk] = x
    return out


def dense_ipf(r: np.ndarray, c: np.ndarray, seed: np.ndarray, tol: float = 1e-6, max_iter: int = 10_000):
    """Baseline: the whole birthplace x origin x destination array scaled at once (as R's mipfp)."""
    x = np.broadcast_to(seed, (r.shape[0], *seed.shape)).copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(max_iter):
            x *= np.nan_to_num(r / x.sum(axis=2), posinf=0.0)[:, :, None]
            x *= np.nan_to_num(c / x.sum(axis=1), posinf=0.0)[:, None, :]
            if np.abs(x.sum(axis=2) - r).max() <= tol:
                break
    return x


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--dense", action="store_true", help="also time the statsmodels dummy-column reference")
    args = ap.parse_args(argv)

    from migstats import flows, geography, models

    t0 = time.perf_counter()
    geo = geography.pairs(data_dir=args.data_dir)
    print(f"geography pairs (cache or compute): {time.perf_counter() - t0:.2f} s, {len(geo):,} pairs")

    # -- flows ------------------------------------------------------------------------------------
    from migstats import store

    # the demographic method needs births and deaths: WPP from the store when it has them
    vital = {} if "wpp_indicators" in store.provenance(args.data_dir)["tables"] else {"natural_change": "assume_none"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", flows.NaturalChangeWarning)
        t_flow, f = _best(lambda: flows.flows_all_corridors("undesa_2019_od_csv", 2015, 2019, data_dir=args.data_dir,
                                                            **vital), args.repeat)
    print(f"flows_all_corridors 2015-2019 demographic ({f.attrs['births_deaths_source']}): {t_flow:.2f} s, "
          f"{len(f):,} corridors, "
          f"total {f.attrs['total']:,.0f} | target < 10 s: {'OK' if t_flow < 10 else 'MISSED'}")
    t_diff, g = _best(lambda: flows.flows_all_corridors("undesa_2019_od_csv", 2015, 2019, "stock_difference",
                                                        data_dir=args.data_dir), args.repeat)
    print(f"flows_all_corridors 2015-2019 stock difference: {t_diff:.2f} s, total {g.attrs['total']:,.0f}")

    s0, s1, _, _ = flows._undesa_stock_tables("undesa_2019_od_csv", 2015, 2019, args.data_dir)
    a0, a1 = s0.to_numpy(), s1.to_numpy()
    stay = np.minimum(a0, a1)
    r, c = a0 - stay, a1 - stay
    rt, ct = r.sum(axis=1), c.sum(axis=1)
    c = c * np.divide(rt, ct, out=np.zeros_like(rt), where=ct > 0)[:, None]
    dist = geo.pivot(index="origin_code", columns="destination_code", values="distance_km")
    dist = dist.reindex(index=s0.index, columns=s0.index).to_numpy()
    seed = np.nan_to_num(1.0 / dist, nan=0.0)  # diagonal (NaN) -> 0: stayers are fixed
    t_vec, (a, b, it) = _best(lambda: flows.ipf_birthplace_tables(r, c, seed), args.repeat)
    t_loop, mu = _best(lambda: naive_ipf(r, c, seed), args.repeat)
    t_dense, mu3 = _best(lambda: dense_ipf(r, c, seed), 1)
    f_vec = seed * (a.T @ b)
    f_loop, f_dense = mu.sum(axis=0), mu3.sum(axis=0)
    rel = max(np.abs(f_vec - f_loop).max(), np.abs(f_vec - f_dense).max()) / f_loop.max()
    print(f"IPF step, {r.shape[0]} birthplace tables of {r.shape[1]}x{r.shape[1]}, inverse-distance offset: "
          f"vectorised {t_vec:.3f} s ({it} iterations) | Python loop per birthplace {t_loop:.2f} s "
          f"(x{t_loop / t_vec:.1f}) | dense 3-D array {t_dense:.2f} s (x{t_dense / t_vec:.1f}) | "
          f"max rel diff {rel:.1e}")

    # -- gravity ------------------------------------------------------------------------------------
    import ppml_previous

    t_data, data = _best(lambda: models.gravity_data(2019, data_dir=args.data_dir), args.repeat)
    print(f"gravity_data(2019): {t_data:.2f} s, {len(data):,} rows ({data.attrs['dataset']})")
    zeros = data.assign(migrants=data["migrants"].fillna(0.0))
    zeros = zeros[zeros["origin_code"] != 2003]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models.fit_gravity(zeros.head(2000), "both", "cluster", cells="all")  # warm-up (imports, JIT)
        t_fast, fast = _best(lambda: models.fit_gravity(zeros, "both", "cluster", cells="all"), args.repeat)
        t_prev, prev = _best(lambda: ppml_previous.fit_gravity(zeros, "both", "cluster"), args.repeat)
        t_rep, rep = _best(lambda: models.fit_gravity(data, "both", "cluster"), args.repeat)
    diff = np.abs(fast.coefficients["estimate"].to_numpy() - prev.coefficients["estimate"].to_numpy()).max()
    se = np.abs(fast.coefficients["std_error"].to_numpy() / prev.coefficients["std_error"].to_numpy() - 1).max()
    print(f"world gravity fit, FE both, cluster by pair, all cells (n={fast.nobs:,}): pyfixest {t_fast:.2f} s | "
          f"previous IRLS engine {t_prev:.2f} s (x{t_prev / t_fast:.2f} of pyfixest) | max |coef diff| {diff:.1e}, "
          f"max SE rel diff {se:.1e} | target < 30 s: {'OK' if t_fast < 30 else 'MISSED'}")
    print(f"world gravity fit, FE both, reported cells only (default, n={rep.nobs:,}): pyfixest {t_rep:.2f} s")
    print("  " + rep.summary().replace("\n", "\n  "))
    if args.dense:
        t_dense, dense = _best(lambda: ppml_previous.fit_gravity(zeros, "both", "cluster", engine="statsmodels"), 1)
        print(f"previous statsmodels reference with dummy columns: {t_dense:.2f} s (x{t_dense / t_fast:.1f})")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_nofe, nofe = _best(lambda: models.fit_gravity(data, False, "cluster"), args.repeat)
    print(f"world gravity fit, no FE (pyfixest incl. separation probe, n={nofe.nobs:,}): {t_nofe:.2f} s")


if __name__ == "__main__":
    main()
