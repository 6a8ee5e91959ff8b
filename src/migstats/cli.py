"""The ``migstats`` command line: see ``migstats --help`` (:data:`DESCRIPTION`, :data:`EPILOG`).

Every path the user gives (``--out``, ``--data-dir``, ``MIGSTATS_DATA_DIR``, ``--from``,
``MIGSTATS_MIRROR``, a bundle) is made absolute once, here, before anything is handed to a
kernel, a worker process or a Dask task. Every expected failure ends in one line,
``migstats: error: <what happened and what to do>``, and an exit code of :data:`EXIT_CODES`.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys

from .exceptions import MigstatsError

__all__ = ["main", "build_parser", "EXIT_CODES"]

#: Exit codes of the ``migstats`` command (also in ``migstats --help`` and the README).
EXIT_CODES = {
    0: "success",
    1: "render: some profiles failed (the others were written); profile: the notebook failed; "
       "check: violations found (listed)",
    2: "bad input: unknown country, group or option, a year without data, no output format",
    3: "data problem: sources missing or not verifying, the store missing or damaged",
    4: "an output cannot be written (read-only or missing folder, a file in the way, bundle exists)",
    5: "the Dask scheduler (--scheduler) did not answer",
    130: "interrupted (Ctrl-C); finished profiles are kept and listed",
    141: "the output pipe was closed (e.g. `migstats countries | head`); nothing is printed",
    143: "terminated (SIGTERM); as for 130",
}

DESCRIPTION = """\
International migration statistics: sources, indicators and country profiles.

commands:
  data fetch [--from DIR|ZIP|URL] [--force]     get the sources (verified)
  data status                                   sources and store: verified, missing, damaged
  data build                                    sources -> Parquet store
  data bundle OUT.zip [--force]                 pack the sources for offline use
  countries [QUERY]                             list or resolve countries
  groups                                        list regions, income and partner groups
  indicators COUNTRY [--year Y] [--format table|csv|json]
  profile COUNTRY|--group NAME [--year Y] [--out DIR] [--format html,ipynb,png,csv,pdf]
  render --all|--countries A,B|--group NAME [--jobs N] [--force] [--scheduler ADDRESS]
  check [--countries A,B] [--no-groups]         coherence of every profile (one basis per statement)
  explore [--port N] [--no-browser]             the explorer as a dashboard (Voila, 127.0.0.1)

Global options (-q, --data-dir) go before or after the command."""

EPILOG = ("offline: MIGSTATS_MIRROR=DIR|ZIP (a folder or bundle of the source files) or "
          "`migstats data fetch --from DIR|ZIP`.\n\nexit codes:\n"
          + "\n".join(f"  {code:<4} {text}" for code, text in EXIT_CODES.items()))

_TOP_N = (1, 50)


def _shown(path) -> str:
    """A path for messages: relative to the current folder when below it, else absolute."""
    path = os.fspath(path)
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if rel.startswith("..") else rel


# -- commands -----------------------------------------------------------------------------------
def _data_fetch(args) -> int:
    from . import fetch

    results = fetch.fetch(mirror=args.mirror, data_dir=args.data_dir, force=args.force,
                          progress=not args.quiet)
    for r in results:
        print(f"{r.state:<12} {r.key:<32} {r.message}")
    return 0


def _data_status(args) -> int:
    from . import fetch, locations, store

    df = fetch.status(data_dir=args.data_dir)
    print(df.to_string(index=False))
    checks = store.verify(args.data_dir, read=True)
    where = _shown(locations.processed_dir(args.data_dir))
    if not checks:
        print(f"\nstore {where}: not built (run `migstats data build`)")
        return 0
    bad = [c for c in checks if c.state != "ok"]
    print(f"\nstore {where}: {len(checks)} tables, "
          + ("all readable and matching their schemas" if not bad else f"{len(bad)} damaged"))
    for c in bad:
        print(f"{c.state:<12} {c.table:<32} {c.message}")
    if bad:
        raise _store_error(bad)
    return 0


def _store_error(bad):
    from .exceptions import StoreDamagedError

    return StoreDamagedError(
        f"The data store is damaged ({', '.join(f'{c.table}: {c.state}' for c in bad)}). "
        "Rebuild it with `migstats data build`.", [c.table for c in bad])


def _data_build(args) -> int:
    import time

    from . import store

    t = time.perf_counter()
    out = store.build(args.data_dir, progress=not args.quiet)
    print(f"Built the store in {_shown(out)} in {time.perf_counter() - t:.1f} s")
    return 0


def _data_bundle(args) -> int:
    from . import fetch

    path = fetch.bundle(args.out, data_dir=args.data_dir, force=args.force)
    print(f"Wrote {_shown(path)}")
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


def _display_value(value, unit: str) -> str:
    """A figure for the terminal table: the value with the part of its unit it needs."""
    import math

    from .narrative import format_value

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit in ("yes/no", "yes=1/no=0"):
        return "yes" if value else "no"
    text = format_value(value, unit)
    if unit in ("persons", "percent", "per 1,000 population"):
        return text
    if unit.startswith("percent"):
        return f"{text} {unit.replace('percent', '%')}"
    if "US$" in unit:  # "US$ 834 per person (current)"
        rest = unit.replace("current US$", "").replace("US$", "").strip()
        return f"{text} {rest}".strip() + (" (current)" if unit.startswith("current") else "")
    return f"{text} ({unit})" if unit else text


def indicators_table(p, width: int = 100) -> str:
    """The ``migstats indicators`` table: label, value with unit, year and numbered sources,
    every line at most ``width`` characters."""
    import textwrap

    refs: dict[str, int] = {}
    rows = []
    for f in p.figures:
        nums = []
        for part in (s.strip() for s in (f.source or "").split(";")):
            if part:
                nums.append(refs.setdefault(part, len(refs) + 1))
        rows.append((f.label, _display_value(f.value, f.unit), "" if f.year is None else str(int(f.year)),
                     ",".join(map(str, nums))))
    vw = max(len("value"), *(len(r[1]) for r in rows))
    sw = max(len("src"), *(len(r[3]) for r in rows))
    lw = width - vw - 4 - sw - 6
    lines = [f"{'indicator':<{lw}}  {'value':>{vw}}  year  {'src':<{sw}}"]
    for label, value, year, src in rows:
        wrapped = textwrap.wrap(label, lw) or [""]
        lines.append(f"{wrapped[0]:<{lw}}  {value:>{vw}}  {year:<4}  {src}".rstrip())
        lines += [f"  {w}" for w in textwrap.wrap(" ".join(wrapped[1:]), lw - 2)]
    lines.append("")
    lines.append("sources:")
    for text, n in refs.items():
        lines += textwrap.wrap(text, width, initial_indent=f"[{n}] ", subsequent_indent=" " * (len(str(n)) + 3))
    for n in p.notes:
        lines += textwrap.wrap(n, width, initial_indent="note: ", subsequent_indent="      ")
    return "\n".join(lines)


def _indicators(args) -> int:
    import json

    from . import store
    from .indicators import profile

    store.ensure_built(args.data_dir, progress=not args.quiet)
    p = profile(args.country, args.year, top_n=args.top_n, denominator=args.denominator,
                data_dir=args.data_dir)
    if args.format == "json":
        print(json.dumps(p.to_dict(), indent=2, ensure_ascii=False))
    elif args.format == "csv":
        print(p.figures_table().to_csv(index=False), end="")
    else:
        print(f"{p.country.name} ({p.country.iso3}), {p.year}; emigrant share denominator: {p.denominator}")
        print(indicators_table(p))
    return 0


def _profile(args) -> int:
    import time

    from .render import _sigint_ignored
    from .warm_kernels import ForkServer

    formats = _formats(args)
    t0 = time.perf_counter()
    timings: dict = {}
    server = None
    if not args.no_warm and ForkServer.available():
        # start the kernel server first: it imports pandas, geopandas and matplotlib and loads
        # the data on one core while this process validates and imports papermill on the other
        # (Ctrl-C reaches this process only: it stops the server itself)
        with _sigint_ignored():
            server = ForkServer(args.data_dir, wait=False, warm_figures=False)
    try:
        from . import store
        from .profiles import _preload_jupyter, render_profile, validate_parameters

        if store.is_built(args.data_dir):
            # validate before any work: an unknown country or a damaged store writes nothing
            store.verify(args.data_dir, read=False, strict=True)
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
    print(f"Wrote {_shown(out)} in {timings['wall']:.1f} s")
    if args.timings:
        print("timings (s): " + ", ".join(f"{k} {v:.2f}" for k, v in timings.items()), file=sys.stderr)
    return 0


def _formats(args) -> tuple:
    from .profiles import check_formats

    return check_formats(args.format)  # ValueError (exit 2) before anything starts


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _render(args) -> int:
    import time

    from .render import SUMMARY_FILE, render

    countries = [c.strip() for c in args.countries.split(",") if c.strip()] if args.countries else None
    if sum(bool(x) for x in (args.all, countries, args.group)) != 1:
        raise ValueError("Choose what to render: --all, --countries A,B,… or --group NAME")
    formats = _formats(args)
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
    out = _shown(args.out)
    print(f"{_plural(len(results), 'profile')} in {time.perf_counter() - t:.1f} s: "
          + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
          + f". Summary: {os.path.join(out, SUMMARY_FILE)}; index: {os.path.join(out, 'index.html')}")
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
        print(f"{n} profile{'s' if n != 1 else ''} checked: every figure has one basis, no corridor sum "
              "exceeds its basis's total, no zero after reporting stopped, no group figure under the "
              "coverage rule.")
        return 0
    print(v.to_string(index=False))
    print(f"{len(v)} violation{'s' if len(v) != 1 else ''} in {v['area'].nunique()} of {n} "
          f"profile{'s' if n != 1 else ''}.", file=sys.stderr)
    return 1


def _explore(args) -> int:
    from .dashboard import serve

    return serve(args.port, open_browser=not args.no_browser, data_dir=args.data_dir)


# -- the parser ---------------------------------------------------------------------------------
def _top_n(text: str) -> int:
    """``--top-n``: the same rule for every command (1 to 50 partners)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    lo, hi = _TOP_N
    if not lo <= n <= hi:
        raise argparse.ArgumentTypeError(f"must be between {lo} and {hi}, got {n}")
    return n


def _add_global_options(parser: argparse.ArgumentParser, top: bool) -> None:
    # on the subcommands the defaults are SUPPRESS: given there they override, absent they
    # leave what the main parser set
    default = (lambda value: value) if top else (lambda value: argparse.SUPPRESS)
    parser.add_argument("--data-dir", default=default(None),
                        help="data root holding raw/ and processed/ (default: $MIGSTATS_DATA_DIR, "
                             "the checkout's data/, or the user cache)")
    parser.add_argument("-q", "--quiet", action="store_true", default=default(False), help="no progress bars")


def _global_options_everywhere(parser: argparse.ArgumentParser, seen=None) -> None:
    """Accept the global options after any (sub)command too: ``migstats profile BLR -q``."""
    seen = set() if seen is None else seen
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                if id(sub) in seen:
                    continue
                seen.add(id(sub))
                if "--data-dir" not in sub._option_string_actions:
                    _add_global_options(sub, top=False)
                _global_options_everywhere(sub, seen)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="migstats", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_global_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="fetch, verify, build and bundle the source data")
    dsub = data.add_subparsers(dest="data_command", required=True)
    p = dsub.add_parser("fetch", help="download (or copy from a mirror) and verify the sources")
    p.add_argument("--from", dest="mirror", default=None,
                   help="mirror folder, .zip bundle or http(s) URL laid out like data/raw "
                        "(default: $MIGSTATS_MIRROR, else the publishers' URLs)")
    p.add_argument("--force", action="store_true", help="fetch again even if present and verified")
    p.set_defaults(func=_data_fetch)
    p = dsub.add_parser("status", help="each source (edition, state, where cached) and the store's tables")
    p.set_defaults(func=_data_status)
    p = dsub.add_parser("build", help="parse the sources into the processed Parquet store")
    p.set_defaults(func=_data_build)
    p = dsub.add_parser("bundle", help="pack the verified sources into a zip for offline machines")
    p.add_argument("out", help="output .zip path")
    p.add_argument("--force", action="store_true", help="replace the zip if it exists")
    p.set_defaults(func=_data_bundle)

    p = sub.add_parser("countries", help="list countries or resolve one name/code")
    p.add_argument("query", nargs="?", default=None)
    p.set_defaults(func=_countries)
    p = sub.add_parser("groups", help="list the groups a profile can cover")
    p.set_defaults(func=_groups)

    def common(p):
        p.add_argument("--year", type=int, default=2024, help="UN DESA reference year (default 2024)")
        p.add_argument("--top-n", type=_top_n, default=10,
                       help=f"corridors in the top lists, {_TOP_N[0]} to {_TOP_N[1]} (default 10)")
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
                   help="comma-separated: html, ipynb, png, csv, pdf (default html,ipynb; pdf prints the "
                        "page to A4 with headless Chromium)")
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
    p.add_argument("--format", default="html,ipynb", help="comma-separated: html, ipynb, png, csv, pdf")
    p.add_argument("--jobs", type=int, default=2, help="parallel workers (default 2)")
    p.add_argument("--force", action="store_true", help="render even if outputs are up to date")
    p.add_argument("--scheduler", default=None,
                   help="Dask distributed scheduler address (e.g. tcp://10.0.0.5:8786); "
                        "the run stops if it does not answer within 10 s")
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

    _global_options_everywhere(parser)  # keep last: covers every subcommand added above
    return parser


# -- one error path -------------------------------------------------------------------------------
def _resolve_paths(args) -> None:
    """Make every path absolute, once, before anything starts (kernels run in other folders)."""
    from . import locations

    if os.environ.get(locations.DATA_DIR_ENV):  # children (kernels, workers) see the same root
        os.environ[locations.DATA_DIR_ENV] = str(locations.absolute(os.environ[locations.DATA_DIR_ENV]))
    if os.environ.get(locations.MIRROR_ENV):
        os.environ[locations.MIRROR_ENV] = locations.mirror()
    if args.data_dir is not None or os.environ.get(locations.DATA_DIR_ENV):
        args.data_dir = str(locations.data_dir(args.data_dir))
        # kernels, workers and any code in them that uses the default data root find the same one
        os.environ[locations.DATA_DIR_ENV] = args.data_dir
    if getattr(args, "out", None) is not None:
        args.out = str(locations.absolute(args.out))
    if getattr(args, "mirror", None) is not None:
        args.mirror = locations.mirror(args.mirror)


def _interrupted_message(args, exc) -> str:
    from .exceptions import RenderInterrupted

    if isinstance(exc, RenderInterrupted):
        statuses = [r.status for r in exc.results]
        done = statuses.count("ok") + statuses.count("skipped")
        summary = f" Summary: {_shown(exc.summary)}." if exc.summary else ""
        return (f"interrupted: {done} of {_plural(len(statuses), 'profile')} done and kept "
                f"({statuses.count('ok')} rendered now, {statuses.count('skipped')} up to date, "
                f"{statuses.count('failed')} failed), {statuses.count('not run')} not run.{summary} "
                "Run the same command again to render the rest.")
    if getattr(args, "command", None) == "profile":
        return "interrupted: no profile was written (an earlier one, if any, is unchanged)."
    return "interrupted; nothing half-written was left. Run the command again."


def _failure(exc: BaseException) -> tuple[int, str] | None:
    """Exit code and one-line message for an expected failure; ``None`` for a bug."""
    from . import exceptions

    ename = getattr(exc, "ename", None)  # papermill: an exception raised inside the notebook
    if ename is not None and hasattr(exc, "evalue"):
        cls = getattr(exceptions, str(ename), None)
        if isinstance(cls, type) and issubclass(cls, MigstatsError):
            return cls.exit_code, str(exc.evalue)
        return 1, (f"the profile notebook failed: {ename}: {exc.evalue}. Nothing was written; "
                   "report it to the migstats maintainers with this message.")
    if isinstance(exc, MigstatsError):
        return exc.exit_code, str(exc)
    if isinstance(exc, ValueError):
        return 2, str(exc)
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return 4, (f"cannot use{where}: {exc.strerror or exc}. Check the path (--out, --data-dir, the "
                   "bundle) and that it is a folder you can write to.")
    return None


def _on_sigterm(signum, _frame):
    _SIGNALS.append(signum)
    raise KeyboardInterrupt


_SIGNALS: list[int] = []


def main(argv=None) -> int:
    """Run the ``migstats`` command (``argv``: the arguments, default ``sys.argv[1:]``)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "command", None) == "profile" and (args.country is None) == (args.group is None):
        parser.error("profile needs a COUNTRY or --group NAME (not both)")
    as_program = argv is None
    if as_program and threading_is_main():
        signal.signal(signal.SIGTERM, _on_sigterm)  # a terminated run stops like Ctrl-C
    try:
        _resolve_paths(args)
        return args.func(args) or 0
    except BrokenPipeError:
        # `migstats countries | head`: the reader has what it wanted; say nothing more
        _silence_stdout()
        return 141
    except KeyboardInterrupt as exc:
        print(f"migstats: error: {_interrupted_message(args, exc)}", file=sys.stderr)
        return 128 + (_SIGNALS[-1] if _SIGNALS else signal.SIGINT)
    except Exception as exc:
        failure = _failure(exc)
        if failure is None:
            raise
        code, message = failure
        print(f"migstats: error: {' '.join(message.split())}" if "\n" not in message.strip()
              else f"migstats: error: {message.strip()}", file=sys.stderr)
        return code
    finally:
        if as_program:  # run as the `migstats` program, the process ends now
            # the interpreter's last garbage collection walks every object pandas, matplotlib
            # and papermill created (0.2 s): frozen objects are skipped, the OS frees them
            gc.freeze()


def threading_is_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
