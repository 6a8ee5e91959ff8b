"""The ``migstats`` command line.

::

    migstats data fetch [--from DIR|ZIP|URL] [--force]   get the sources (verified)
    migstats data status                                 what is cached, verified, missing
    migstats data build                                  sources -> Parquet store
    migstats data bundle OUT.zip                         pack the sources for offline use
    migstats countries [QUERY]                           list or resolve countries
    migstats groups                                      list regions, income and partner groups
    migstats indicators COUNTRY [--year Y] [--format table|csv|json]
    migstats profile COUNTRY|--group NAME [--year Y] [--out DIR] [--format html,ipynb,png,csv]
    migstats render --all|--countries A,B|--group NAME [--jobs N] [--force] [--scheduler ADDRESS]
    migstats check [--countries A,B] [--no-groups]        coherence of every profile (one basis per statement)
    migstats explore [--port N] [--no-browser]           the explorer as a dashboard (Voila, 127.0.0.1)
"""

from __future__ import annotations

import argparse
import gc
import sys

from .exceptions import MigstatsError

__all__ = ["main"]


def _data_fetch(args) -> int:
    from . import fetch

    results = fetch.fetch(mirror=args.mirror, data_dir=args.data_dir, force=args.force,
                          progress=not args.quiet)
    for r in results:
        print(f"{r.state:<12} {r.key:<32} {r.message}")
    return 0


def _data_status(args) -> int:
    from . import fetch

    df = fetch.status(data_dir=args.data_dir)
    print(df.to_string(index=False))
    return 0


def _data_build(args) -> int:
    import time

    from . import store

    t = time.perf_counter()
    out = store.build(args.data_dir, progress=not args.quiet)
    print(f"Built the store in {out} in {time.perf_counter() - t:.1f} s")
    return 0


def _data_bundle(args) -> int:
    from . import fetch

    path = fetch.bundle(args.out, data_dir=args.data_dir)
    print(f"Wrote {path}")
    return 0


def _countries(args) -> int:
    from . import countries

    if args.query:
        c = countries.resolve(args.query, data_dir=args.data_dir)
        for k, v in c.__dict__.items():
            print(f"{k:<14} {v}")
        return 0
    table = countries.country_table(data_dir=args.data_dir)
    print(table[["location_code", "iso3", "name", "un_subregion", "income_group"]].to_string(index=False))
    return 0


def _groups(args) -> int:
    from .groups import list_groups

    print(list_groups(data_dir=args.data_dir).to_string(index=False))
    return 0


def _indicators(args) -> int:
    import json

    from . import store
    from .indicators import profile
    from .narrative import format_value

    store.ensure_built(args.data_dir, progress=not args.quiet)
    p = profile(args.country, args.year, top_n=args.top_n, denominator=args.denominator,
                data_dir=args.data_dir)
    if args.format == "json":
        print(json.dumps(p.to_dict(), indent=2, ensure_ascii=False))
    elif args.format == "csv":
        print(p.figures_table().to_csv(index=False), end="")
    else:
        t = p.figures_table()
        t["value"] = [format_value(v, u) if v is not None else "n/a" for v, u in zip(t["value"], t["unit"])]
        print(f"{p.country.name} ({p.country.iso3}), {p.year}; emigrant share denominator: {p.denominator}")
        print(t[["label", "value", "unit", "year", "source"]].to_string(index=False))
        for n in p.notes:
            print(f"note: {n}")
    return 0


def _profile(args) -> int:
    import time

    from .warm_kernels import ForkServer

    t0 = time.perf_counter()
    timings: dict = {}
    server = None
    if not args.no_warm and ForkServer.available():
        # start the kernel server first: it imports pandas, geopandas and matplotlib and loads
        # the data on one core while this process validates and imports papermill on the other
        server = ForkServer(args.data_dir, wait=False, warm_figures=False)
    try:
        from . import store
        from .profiles import _preload_jupyter, render_profile, validate_parameters

        formats = [f.strip() for f in args.format.split(",") if f.strip()]
        if store.is_built(args.data_dir):
            # validate before any work: an unknown country writes nothing
            validate_parameters(None if args.group else args.country, args.year, args.top_n, args.denominator,
                                group=args.group, data_dir=args.data_dir)
        else:
            print("No data store yet: fetching the sources and building it (first run)...", file=sys.stderr)
            store.ensure_built(args.data_dir, progress=not args.quiet)
        _preload_jupyter(formats)  # papermill, nbconvert: while the kernel server warms up
        timings["jupyter_ready"] = time.perf_counter() - t0
        execute = None
        if server:
            try:
                execute = server.executor()
                timings["kernel_server_ready"] = time.perf_counter() - t0
            except RuntimeError as exc:  # the profile can still run, only slower
                print(f"migstats: {exc} Using a plain kernel for this profile.", file=sys.stderr)
        out = render_profile(None if args.group else args.country, args.year, group=args.group,
                             top_n=args.top_n, denominator=args.denominator, out=args.out, formats=formats,
                             data_dir=args.data_dir, execute=execute, timings=timings)
    finally:
        if server:
            server.close()
    timings["wall"] = time.perf_counter() - t0
    print(f"Wrote {out} in {timings['wall']:.1f} s")
    if args.timings:
        print("timings (s): " + ", ".join(f"{k} {v:.2f}" for k, v in timings.items()), file=sys.stderr)
    return 0


def _render(args) -> int:
    import time

    from .render import SUMMARY_FILE, render

    countries = [c.strip() for c in args.countries.split(",") if c.strip()] if args.countries else None
    if sum(bool(x) for x in (args.all, countries, args.group)) != 1:
        raise ValueError("Choose what to render: --all, --countries A,B,… or --group NAME")
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    t = time.perf_counter()
    results = render(countries, group=args.group, all=args.all, year=args.year, top_n=args.top_n,
                     denominator=args.denominator, out=args.out, formats=formats, jobs=args.jobs,
                     force=args.force, scheduler=args.scheduler, warm=not args.no_warm,
                     progress=not args.quiet, data_dir=args.data_dir)
    counts: dict = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    failed = [r for r in results if r.status == "failed"]
    for r in failed:
        print(f"FAILED {r.label}: {r.error}", file=sys.stderr)
    print(f"{len(results)} profiles in {time.perf_counter() - t:.1f} s: "
          + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
          + f". Summary: {args.out}/{SUMMARY_FILE}; index: {args.out}/index.html")
    return 1 if failed else 0


def _check(args) -> int:
    from . import store
    from .coherence import check_all

    store.ensure_built(args.data_dir, progress=not args.quiet)
    countries = [c.strip() for c in args.countries.split(",") if c.strip()] if args.countries else None
    v = check_all(args.year, countries=countries, groups=not args.no_groups, data_dir=args.data_dir,
                  progress=not args.quiet)
    n = v.attrs["checked"]
    if v.empty:
        print(f"{n} profile{'s' if n != 1 else ''} checked: every figure has one basis, no corridor sum exceeds its basis's total, "
              "no zero after reporting stopped, no group figure under the coverage rule.")
        return 0
    print(v.to_string(index=False))
    print(f"{len(v)} violation{'s' if len(v) != 1 else ''} in {v['area'].nunique()} of {n} "
          f"profile{'s' if n != 1 else ''}.", file=sys.stderr)
    return 1


def _explore(args) -> int:
    from .dashboard import serve

    return serve(args.port, open_browser=not args.no_browser, data_dir=args.data_dir)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="migstats", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=None,
                        help="data root holding raw/ and processed/ (default: $MIGSTATS_DATA_DIR, "
                             "the checkout's data/, or the user cache)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="fetch, verify, build and bundle the source data")
    dsub = data.add_subparsers(dest="data_command", required=True)
    p = dsub.add_parser("fetch", help="download (or copy from a mirror) and verify the sources")
    p.add_argument("--from", dest="mirror", default=None,
                   help="mirror folder, .zip bundle or http(s) URL laid out like data/raw "
                        "(default: $MIGSTATS_MIRROR, else the publishers' URLs)")
    p.add_argument("--force", action="store_true", help="fetch again even if present and verified")
    p.set_defaults(func=_data_fetch)
    p = dsub.add_parser("status", help="each source: edition, state, where cached")
    p.set_defaults(func=_data_status)
    p = dsub.add_parser("build", help="parse the sources into the processed Parquet store")
    p.set_defaults(func=_data_build)
    p = dsub.add_parser("bundle", help="pack the verified sources into a zip for offline machines")
    p.add_argument("out", help="output .zip path")
    p.set_defaults(func=_data_bundle)

    p = sub.add_parser("countries", help="list countries or resolve one name/code")
    p.add_argument("query", nargs="?", default=None)
    p.set_defaults(func=_countries)
    p = sub.add_parser("groups", help="list the groups a profile can cover")
    p.set_defaults(func=_groups)

    def common(p):
        p.add_argument("--year", type=int, default=2024, help="UN DESA reference year (default 2024)")
        p.add_argument("--top-n", type=int, default=10, help="corridors in the top lists (default 10)")
        p.add_argument("--denominator", default="population",
                       choices=["population", "residents_plus_emigrants"],
                       help="denominator of the emigrant share (default: population)")

    p = sub.add_parser("indicators", help="every indicator of one country")
    p.add_argument("country", help="name, ISO3/ISO2 or M49 code")
    common(p)
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=_indicators)

    p = sub.add_parser("profile", help="render a country or group profile (HTML, notebook, PNG, CSV)")
    p.add_argument("country", nargs="?", default=None, help="name, ISO3/ISO2 or M49 code")
    p.add_argument("--group", default=None, help="a group instead of a country (see `migstats groups`)")
    common(p)
    p.add_argument("--out", default="reports", help="output root (default: reports/)")
    p.add_argument("--format", default="html,ipynb",
                   help="comma-separated: html, ipynb, png, csv (default html,ipynb)")
    p.add_argument("--no-warm", action="store_true",
                   help="run the notebook on a plain papermill kernel instead of a forked, pre-loaded one")
    p.add_argument("--timings", action="store_true", help="print how long each stage took")
    p.set_defaults(func=_profile)

    p = sub.add_parser("render", help="render many profiles (parallel, resumable) and an index page")
    p.add_argument("--all", action="store_true", help="every country and area of the UN DESA tables")
    p.add_argument("--countries", default=None, help="comma-separated countries, e.g. BLR,TJK,AFG")
    p.add_argument("--group", default=None, help="every member of a group (see `migstats groups`)")
    common(p)
    p.add_argument("--out", default="reports", help="output root (default: reports/)")
    p.add_argument("--format", default="html,ipynb", help="comma-separated: html, ipynb, png, csv")
    p.add_argument("--jobs", type=int, default=2, help="parallel workers (default 2)")
    p.add_argument("--force", action="store_true", help="render even if outputs are up to date")
    p.add_argument("--scheduler", default=None,
                   help="Dask distributed scheduler address (e.g. tcp://10.0.0.5:8786)")
    p.add_argument("--no-warm", action="store_true", help="start a cold kernel per profile (papermill default)")
    p.set_defaults(func=_render)

    p = sub.add_parser("check", help="check every profile's coherence (exit 1 and a list of violations if any)")
    p.add_argument("--year", type=int, default=2024, help="UN DESA reference year (default 2024)")
    p.add_argument("--countries", default=None, help="only these countries, e.g. BLR,TJK (default: all areas)")
    p.add_argument("--no-groups", action="store_true", help="skip the standard groups")
    p.set_defaults(func=_check)

    p = sub.add_parser("explore", help="serve the explorer as a dashboard (widgets, no code) on 127.0.0.1")
    p.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866; 0: any free port)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser (print the URL only)")
    p.set_defaults(func=_explore)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "command", None) == "profile" and (args.country is None) == (args.group is None):
        parser.error("profile needs a COUNTRY or --group NAME (not both)")
    try:
        return args.func(args) or 0
    except (MigstatsError, ValueError) as exc:
        print(f"migstats: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("migstats: interrupted", file=sys.stderr)
        return 130
    finally:
        if argv is None:  # run as the `migstats` program, the process ends now
            # the interpreter's last garbage collection walks every object pandas, matplotlib
            # and papermill created (0.2 s): frozen objects are skipped, the OS frees them
            gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
