"""The ``migstats`` command line.

::

    migstats data fetch [--from DIR|ZIP|URL] [--force]   get the sources (verified)
    migstats data status                                 what is cached, verified, missing
    migstats data build                                  sources -> Parquet store
    migstats data bundle OUT.zip                         pack the sources for offline use
    migstats countries [QUERY]                           list or resolve countries
"""

from __future__ import annotations

import argparse
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
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except MigstatsError as exc:
        print(f"migstats: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("migstats: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
