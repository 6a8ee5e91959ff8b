"""Sphinx configuration of the migstats documentation.

Build (warnings are errors; the lessons and guides are executed against the data store, so
build it first: ``migstats data fetch && migstats data build``, or set ``MIGSTATS_DATA_DIR``)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

``tests/test_docs.py`` runs the same build into a temporary folder with the test session's store.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

import migstats  # noqa: E402

project = "migstats"
author = "migstats developers"
copyright = "migstats developers; data © their publishers (see Data sources)"
version = release = migstats.__version__

extensions = [
    "myst_nb",                 # MyST markdown pages and executed notebooks (lessons, guides)
    "sphinx.ext.autodoc",      # API reference from the docstrings
    "sphinx.ext.autosummary",  # the list of indicator functions
    "sphinx.ext.napoleon",     # numpy-style docstring sections
    "sphinx.ext.mathjax",
    "migstats_docs",           # data-sources table, API pages, solved lessons (docs/_ext)
]

exclude_patterns = ["_build", "jupyter_execute", ".DS_Store", "**.ipynb_checkpoints"]
templates_path: list[str] = []
html_static_path = ["_static"]
html_css_files = ["migstats.css"]

# -- MyST / myst-nb: notebooks executed at every build, a failing cell fails the build -------------
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "substitution"]
myst_heading_anchors = 3
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 300
nb_merge_streams = True
nb_code_prompt_show = "Show the solution"   # only the lessons' solutions are collapsed (tag hide-cell)
nb_code_prompt_hide = "Hide the solution"
nb_kernel_rgx_aliases = {".*": "python3"}

# -- autodoc + napoleon: the package's numpy-style docstrings ------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
autodoc_mock_imports: list[str] = []
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_preprocess_types = False
napoleon_attr_annotations = False

# -- references -----------------------------------------------------------------------------------
# Links between pages, toctrees and includes warn by themselves (and -W makes them errors). For
# the API, migstats_docs turns an unresolved :func:/:class:/:mod:/:data: reference to
# ``migstats.<something>`` that does not exist into a warning (a renamed or removed function);
# references to other libraries, and types in parameter lists, are plain text (no intersphinx:
# the build never goes online).
nitpicky = False
napoleon_use_param = False
napoleon_use_ivar = False
suppress_warnings = ["myst.header"]

# -- HTML ------------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"migstats {version}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}
html_show_sourcelink = False

# the data store the executed pages read (the test session exports its own)
os.environ.setdefault("MPLBACKEND", "Agg")
