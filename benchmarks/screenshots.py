"""Screenshots of three profiles and the index page, for the README and the docs.

Renders Belarus, the Philippines and Central Asia (a group) plus the index with
``migstats render``, opens each page in headless Chromium (Debian's ``/usr/bin/chromium``,
no browser download) and saves the top of the page as a small palette PNG under
``docs/_static/screenshots/``. Run from the repository root, with the data store built::

    python benchmarks/screenshots.py [--out docs/_static/screenshots] [--height 1500]

Prints the time per page and the file sizes.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

PAGES = {"profile-belarus.png": "BLR/2024/profile.html", "profile-philippines.png": "PHL/2024/profile.html",
         "profile-central-asia.png": "groups/central-asia/2024/profile.html", "index.png": "index.html"}


def screenshot(url: str, path: Path, width: int, height: int) -> None:
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not exe:
        raise SystemExit("Chromium is needed: apt install chromium")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                        f"--user-data-dir={profile}", f"--window-size={width},{height}",
                        f"--screenshot={path}", url], check=True, capture_output=True, timeout=120)


def main() -> None:
    from PIL import Image

    from migstats import render

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="docs/_static/screenshots")
    ap.add_argument("--width", type=int, default=1100)
    ap.add_argument("--height", type=int, default=1500)
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        reports = Path(tmp) / "reports"
        t = time.perf_counter()
        render.render(["BLR", "PHL", "TJK", "TUV", "SYR", "DEU"], out=reports, formats="html", progress=False)
        from migstats.profiles import render_profile

        render_profile(group="Central Asia", out=reports, formats=("html",))
        render.write_index(reports)
        print(f"rendered in {time.perf_counter() - t:.1f} s")
        for name, rel in PAGES.items():
            raw = Path(tmp) / f"raw-{name}"
            t = time.perf_counter()
            # the index's comparison table is wider than a profile's text column
            width = args.width + 300 if name == "index.png" else args.width
            screenshot((reports / rel).as_uri(), raw, width, args.height)
            img = Image.open(raw).convert("RGB").resize((width * 3 // 4, args.height * 3 // 4), Image.LANCZOS)
            img.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(out / name, optimize=True)
            print(f"{name}: {time.perf_counter() - t:.1f} s, {(out / name).stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
