"""Sphinx configuration of skfit's documentation site (build command: docs/README.md)."""

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

import skfit  # noqa: E402  (the installed skfit, or the one on PYTHONPATH)

project = "skfit"
author = "the skfit developers"
copyright = "skfit developers, BSD-3-Clause"  # noqa: A001
version = release = skfit.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "skfit_docs",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "README.md", "**/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.json", "auto_examples/*.md5"]
root_doc = "index"
default_role = "py:obj"

# Every reference must resolve: a broken one is a warning, and the build runs
# with -W (warnings are errors). No nitpick_ignore: references to
# scikit-learn, NumPy, pandas and the standard library are linked by
# skfit_docs.py, which needs no network.
nitpicky = True

# -- API reference ------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"  # the numpydoc sections carry the types
autodoc_member_order = "groupwise"
add_module_names = False
toc_object_entries_show_parents = "hide"  # "fit()", not "KerasMLPClassifier.fit()"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# -- Gallery ------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # every examples/plot_*.py is executed and rendered, new ones included
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"/(?!plot_)[^/]*\.py$",
    # chapter order first, then any other example by file name
    "within_subsection_order": "skfit_docs.ChapterOrder",
    "doc_module": ("skfit",),
    "backreferences_dir": "gen_modules/backreferences",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "remove_config_comments": True,
    "min_reported_time": 0,
    "show_memory": False,
    "download_all_examples": False,
    "default_thumb_file": str(DOCS / "_static" / "thumb.png"),
    "thumbnail_size": (320, 224),
}

# -- HTML ---------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skfit {version}"
html_static_path = ["_static"]
html_css_files = ["skfit.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"index": [], "getting_started": [], "benchmarks": []}
html_context = {"default_mode": "light"}
