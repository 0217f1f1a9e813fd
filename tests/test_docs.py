"""The documentation site builds, gives every public name a page, and has no broken reference.

One Sphinx build (as docs/README.md gives it, with the gallery rendered but
not executed, to keep the suite fast) in a temporary copy of docs/ and
examples/, so that the working tree is left alone. conf.py sets
``nitpicky = True`` and the build runs with ``-W``: a reference that does not
resolve fails it. The HTML is then checked on its own as well.
"""

import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

for module in ("sphinx", "numpydoc", "sphinx_gallery", "pydata_sphinx_theme"):
    pytest.importorskip(module)

ROOT = Path(__file__).resolve().parents[1]
SUBPACKAGES = ["skfit.keras", "skfit.feature_selection", "skfit.model_selection",
               "skfit.diagnostics", "skfit.datasets", "skfit.utils", "skfit.exceptions"]
GENERATED = ("_build", "generated", "auto_examples", "gen_modules", "sg_execution_times.rst",
             "__pycache__", "*.pyc")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """``(completed sphinx-build process, folder of the HTML pages)``."""
    work = tmp_path_factory.mktemp("site")
    shutil.copytree(ROOT / "docs", work / "docs", ignore=shutil.ignore_patterns(*GENERATED))
    shutil.copytree(ROOT / "examples", work / "examples",
                    ignore=shutil.ignore_patterns(*GENERATED, "*.png"))  # figures of earlier runs
    html = work / "html"
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
         "-D", "plot_gallery=0", str(work / "docs"), str(html)],
        capture_output=True, text=True, env=environment, cwd=work, timeout=900,
    )  # fmt: skip
    return build, html


def test_the_site_builds_with_warnings_as_errors(site):
    build, html = site
    assert build.returncode == 0, f"sphinx-build failed:\n{build.stderr[-6000:]}"
    assert "WARNING" not in build.stderr, build.stderr[-6000:]
    for page in ("index", "getting_started", "user_guide/index", "api/index", "benchmarks",
                 "auto_examples/index"):
        assert (html / f"{page}.html").is_file(), page


def _documented_page(obj):
    """The subpackage name under which the API reference documents ``obj``."""
    for package in SUBPACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            if getattr(module, name) is obj:
                return f"{package}.{name}"
    raise AssertionError(f"{obj!r} is exported by no subpackage")


@pytest.mark.parametrize("package", ["skfit", *SUBPACKAGES])
def test_every_public_name_has_a_page(site, package):
    _, html = site
    module = importlib.import_module(package)
    missing = []
    for name in module.__all__:
        documented = _documented_page(getattr(module, name))
        page = html / "api" / "generated" / f"{documented}.html"
        if not page.is_file() or f'id="{documented}"' not in page.read_text(encoding="utf-8"):
            missing.append(f"{package}.{name}")
    assert not missing, f"no API page for {missing}: add them to docs/api/index.rst"


def test_no_page_has_a_broken_cross_reference(site):
    """A resolved reference is a link around its ``code.xref``; an unresolved one is not."""
    _, html = site
    broken = {}
    for page in html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r'(<a\b[^>]*>)?<code class="xref[^"]*"[^>]*>(.*?)</code>', text):
            if match.group(1) is None:
                broken.setdefault(str(page.relative_to(html)), []).append(
                    re.sub(r"<[^>]+>", "", match.group(2)))
    assert not broken, f"unresolved references: {broken}"


def test_every_example_is_in_the_gallery_and_linked_from_the_api(site):
    _, html = site
    examples = sorted(p.stem for p in (ROOT / "examples").glob("plot_*.py"))
    assert examples
    gallery = (html / "auto_examples" / "index.html").read_text(encoding="utf-8")
    for example in examples:
        assert (html / "auto_examples" / f"{example}.html").is_file(), example
        assert f"{example}.html" in gallery, example
    # "Examples using this" mini-galleries: the class every network example uses
    page = (html / "api" / "generated" / "skfit.keras.KerasMLPClassifier.html").read_text(
        encoding="utf-8")
    assert "Examples using" in page and "plot_early_stopping.html" in page
