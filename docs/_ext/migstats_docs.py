"""Sphinx extension of the migstats documentation: pages generated from the code at build time.

* ``data-sources`` directive — the table of every source file in :data:`migstats.registry.SOURCES`
  (publisher, title, edition, URL, licence, SHA-256, required or optional, notes);
* API pages — one page per public module of ``src/migstats`` (every ``*.py`` with an ``__all__``),
  written to ``api/`` at the start of the build, so a new module is documented without editing
  the docs;
* lessons — the solved copy of every workshop lesson (:func:`migstats.workshop.solved`: solutions
  as code cells behind a toggle, learner cells dropped, ``# NBVAL_...`` markers removed), written to
  ``lessons/`` and executed by myst-nb during the build.

Generated files are listed in ``docs/.gitignore``; nothing generated is committed.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

import migstats

SRC = Path(migstats.__file__).resolve().parent
REPO = SRC.parents[1]  # the checkout (pip install -e .)
WORKSHOP = REPO / "notebooks" / "workshop"

#: API sections: module -> section title (modules not listed go to "Other modules").
SECTIONS = {
    "Data: sources, download, store": ["registry", "fetch", "locations", "store", "schemas", "datasets"],
    "Countries and groups": ["countries", "groups"],
    "Indicators and text": ["indicators", "narrative", "coherence"],
    "Figures": ["maps", "charts", "labels", "style"],
    "Profiles and batches": ["profiles", "publication", "render", "warm_kernels"],
    "Analysis": ["geography", "models", "flows"],
    "Explorer, dashboard, workshop": ["explore", "dashboard", "workshop"],
    "Errors and command line": ["exceptions", "cli"],
}


def _public_modules() -> list[str]:
    out = []
    for path in sorted(SRC.glob("*.py")):
        if path.stem.startswith("_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in n.targets)
               for n in tree.body):
            out.append(path.stem)
    return out


def _write(path: Path, text: str) -> None:
    """Write only when the text changed (Sphinx then rebuilds only what changed)."""
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _parser_modules() -> list[str]:
    return [f"parsers.{p.stem}" for p in sorted((SRC / "parsers").glob("*.py")) if not p.stem.startswith("_")]


def _top_level_page() -> str:
    """``import migstats``: the functions it exposes (documented here) and the classes and errors
    it re-exports (documented in their modules)."""
    import inspect

    import migstats

    funcs, others = [], []
    for name in migstats.__all__:
        if name.startswith("_"):
            continue
        obj = getattr(migstats, name)
        if inspect.ismodule(obj):  # e.g. ``migstats.fetch`` once the module migstats.fetch is imported
            continue
        (funcs if inspect.isfunction(obj) else others).append((name, obj))
    lines = ["``migstats`` (top level)", "========================", "", ".. automodule:: migstats",
             "   :no-members:", "", "Functions", "---------", "",
             "They load on first use from the modules of the following pages.", ""]
    lines += [f".. autofunction:: migstats.{name}\n" for name, _ in funcs]
    lines += ["Classes and errors", "------------------", ""]
    lines += [f"- ``migstats.{name}``: :class:`{obj.__module__}.{obj.__qualname__}`" for name, obj in others]
    return "\n".join(lines) + "\n"


def write_api_pages(app) -> None:
    if not app.config.migstats_generate:
        return
    api = Path(app.srcdir) / "api"
    modules = _public_modules()
    listed = {m for ms in SECTIONS.values() for m in ms}
    sections = {title: [m for m in ms if m in modules] for title, ms in SECTIONS.items()}
    other = [m for m in modules if m not in listed]
    if other:
        sections["Other modules"] = other
    sections["Parsers (one per source)"] = ["parsers"] + _parser_modules()
    index = ["API reference", "=============", "",
             "Every public module of the package, generated from its docstrings (numpy style). "
             "``import migstats`` exposes the most used functions at the top level "
             "(:func:`migstats.profile`, :func:`migstats.resolve`, :func:`migstats.load`, ...): "
             "see :doc:`migstats`.", "",
             ".. toctree::", "   :maxdepth: 1", "", "   migstats", ""]
    _write(api / "migstats.rst", _top_level_page())
    for title, mods in sections.items():
        if not mods:
            continue
        index += [title, "-" * len(title), "", ".. toctree::", "   :maxdepth: 1", ""]
        index += [f"   {m}" for m in mods] + [""]
        for m in mods:
            head = f"``migstats.{m}``"
            _write(api / f"{m}.rst", f"{head}\n{'=' * len(head)}\n\n.. automodule:: migstats.{m}\n"
                   "   :members:\n   :show-inheritance:\n")
    _write(api / "index.rst", "\n".join(index))


def write_lessons(app) -> None:
    import nbformat

    from migstats.workshop import lesson_paths, solved

    if not app.config.migstats_generate:
        return
    out = Path(app.srcdir) / "lessons"
    for path in lesson_paths(WORKSHOP):
        nb = solved(nbformat.read(path, as_version=4))
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.source = "\n".join(line for line in cell.source.splitlines()
                                        if not line.startswith("# NBVAL_"))
        text = nbformat.writes(nb)
        _write(out / path.name, text + ("" if text.endswith("\n") else "\n"))


def _exists(target: str) -> bool:
    """Whether a dotted name ``migstats....`` names a real module or object."""
    import importlib

    parts = target.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


def check_reference(app, env, node, contnode):
    """A :func:/:class:/... reference to ``migstats.x`` that names nothing real is a warning."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "").lstrip("~.")
    if not target.startswith("migstats"):
        return None
    if not _exists(target):
        from sphinx.util import logging

        logging.getLogger(__name__).warning(f"broken reference to {target!r}: no such module or object",
                                            location=node, type="migstats", subtype="ref")
    return None


def _sha(value) -> str:
    return f"``{value}``" if value else "pinned on first download"


def _para(*parts) -> nodes.paragraph:
    """A paragraph of text and nodes (``str`` parts become text)."""
    p = nodes.paragraph()
    for part in parts:
        p += nodes.Text(part) if isinstance(part, str) else part
    return p


def _entry(*paragraphs) -> nodes.entry:
    e = nodes.entry()
    for para in paragraphs:
        e += para
    return e


class DataSourcesDirective(SphinxDirective):
    """``data-sources`` — every source file of :data:`migstats.registry.SOURCES`, as a table."""

    has_content = False
    HEADER = ("Publisher", "Title (linked to the official download)", "Edition", "Licence",
              "File and SHA-256", "Use and notes")
    WIDTHS = (14, 26, 14, 10, 22, 22)

    def run(self):
        from migstats.registry import SOURCES

        table = nodes.table(classes=["migstats-sources"])
        group = nodes.tgroup(cols=len(self.HEADER))
        table += group
        for width in self.WIDTHS:
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        row = nodes.row()
        for title in self.HEADER:
            row += _entry(_para(title))
        head += row
        group += head
        body = nodes.tbody()
        for src in SOURCES.values():
            use = "Required." if src.required else "Optional."
            if src.alternative_of:
                use += f" Either this file or {src.alternative_of}."
            if not src.official_bytes:
                use += " Third-party reshaping of the publisher's data (from a mirror)."
            size = f"{src.size:,} bytes" if src.size else "size not known in advance"
            link = nodes.reference("", src.title, refuri=src.url)
            sha = nodes.literal(text=src.sha256) if src.sha256 else "pinned on first download"
            notes = [_para(" ".join(src.notes.split()))] if src.notes.strip() else []
            row = nodes.row()
            row += _entry(_para(src.publisher))
            row += _entry(_para(link))
            row += _entry(_para(src.edition))
            row += _entry(_para(src.licence))
            row += _entry(_para(nodes.literal(text=src.path), f" ({size}), key ", nodes.literal(text=src.key)),
                          _para(sha))
            row += _entry(_para(use), *notes)
            body += row
        group += body
        return [table]


def setup(app):
    # False: write no API pages and no lessons (tests of the build rules use a tiny project)
    app.add_config_value("migstats_generate", True, "env")
    app.connect("builder-inited", write_api_pages)
    app.connect("builder-inited", write_lessons)
    app.connect("missing-reference", check_reference)
    app.add_directive("data-sources", DataSourcesDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
