"""Sphinx helpers for skfit's documentation, offline by design.

- References to skfit objects by any public path (``skfit.diagnose``, a bare
  ``diagnose`` in another subpackage's docstring) resolve to the one page of
  the object in the API reference.
- References to scikit-learn, NumPy, pandas, matplotlib, skops and the
  standard library link to those projects' documentation, once the object is
  found to exist (importing it), without downloading an intersphinx
  inventory: the build must pass with no network and with every reference
  resolved (``nitpicky = True``, warnings as errors).
- Class pages document the members skfit defines (its own and those of its
  private base classes); the methods that come from scikit-learn are listed
  with links by the ``skfit-sklearn-members`` directive, because their
  docstrings point into scikit-learn's own user guide.
- Every public name (``__all__`` of skfit and its subpackages) must have a
  page: a missing one is a build warning, so an error under ``-W``.
- ``ChapterOrder`` sorts the gallery in the order of the chapter.
"""

import functools
import importlib
import inspect
import sys
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList
from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: The subpackages whose ``__all__`` the API reference documents, in its order.
PUBLIC_PACKAGES = (
    "skfit.keras",
    "skfit.feature_selection",
    "skfit.model_selection",
    "skfit.diagnostics",
    "skfit.datasets",
    "skfit.utils",
    "skfit.exceptions",
)

#: The chapter's order of the examples; any other examples/plot_*.py follows,
#: by file name, so that a new example is picked up without editing this list.
CHAPTER_ORDER = (
    "plot_noise_channels.py",
    "plot_shuffled_labels.py",
    "plot_leaks.py",
    "plot_time_split.py",
    "plot_iterated_kfold.py",
    "plot_baselines.py",
    "plot_learning_rate.py",
    "plot_capacity.py",
    "plot_early_stopping.py",
    "plot_regularization.py",
    "plot_dask_grid_search.py",
)

SKLEARN_METADATA_ROUTING = "https://scikit-learn.org/stable/metadata_routing.html"


class ChapterOrder:
    """Gallery sort key: the chapter's examples first, in order, then the rest."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = Path(filename).name
        rank = CHAPTER_ORDER.index(name) if name in CHAPTER_ORDER else len(CHAPTER_ORDER)
        return (rank, name)

    def __repr__(self):  # sphinx-gallery caches on the repr
        return f"<{type(self).__name__}: {', '.join(CHAPTER_ORDER)}>"


# -- skfit's public names -------------------------------------------------------
@functools.cache
def public_names():
    """``{documented name: object}`` for every public name, and ``{alias: documented}``.

    An object is documented once, under the first subpackage of
    :data:`PUBLIC_PACKAGES` that exports it; ``skfit.X`` is an alias.
    """
    documented, by_id = {}, {}
    for package in PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            obj = getattr(module, name)
            full = f"{package}.{name}"
            documented[full] = obj
            by_id.setdefault(id(obj), full)
    aliases = {}
    top = importlib.import_module("skfit")
    for name in top.__all__:
        aliases[f"skfit.{name}"] = by_id[id(getattr(top, name))]
    for full in documented:
        aliases.setdefault(full.rsplit(".", 1)[1], by_id[id(documented[full])])
    return documented, aliases


def _import(dotted):
    """The object named by ``dotted`` (a module path then attributes), or None."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except Exception:
            continue
        try:
            for attribute in parts[cut:]:
                obj = getattr(obj, attribute)
        except AttributeError:
            return None
        return obj
    return None


# -- references -----------------------------------------------------------------
def _skfit_target(target, aliases):
    """The documented name for a reference to a skfit object by another path."""
    parts = target.split(".")
    for i in range(len(parts), 0, -1):  # "skfit.Diagnosis.plot": the alias, then ".plot"
        prefix = ".".join(parts[:i])
        if prefix in aliases:
            return aliases[prefix] + "".join("." + part for part in parts[i:])
    if parts[0] == "skfit":  # a private path: find the object and its public page
        obj = _import(target)
        if obj is not None:
            documented, _ = public_names()
            for name, public in documented.items():
                if public is obj:
                    return name
    return None


def _public_sklearn_path(cls):
    """``sklearn.x.Name`` under which scikit-learn documents ``cls``, or None."""
    if cls.__name__.startswith("_"):
        return None
    parts = cls.__module__.split(".")
    for cut in range(1, len(parts) + 1):
        module = sys.modules.get(".".join(parts[:cut])) or _import(".".join(parts[:cut]))
        if getattr(module, cls.__name__, None) is cls and not any(
            p.startswith("_") for p in parts[:cut]
        ):
            return f"{'.'.join(parts[:cut])}.{cls.__name__}"
    return None


def _sklearn_url(target):
    if _import(target) is None:
        return None
    owner = target.rsplit(".", 1)[0]
    if inspect.isclass(_import(owner)):  # a method or attribute: the class page's anchor
        return f"https://scikit-learn.org/stable/modules/generated/{owner}.html#{target}"
    if inspect.ismodule(_import(target)):
        return f"https://scikit-learn.org/stable/api/{target}.html"
    return f"https://scikit-learn.org/stable/modules/generated/{target}.html"


def _python_url(target):
    module = target.split(".")[0]
    if module in sys.builtin_module_names or module in getattr(sys, "stdlib_module_names", ()):
        if _import(target) is not None:
            return f"https://docs.python.org/3/library/{module}.html#{target}"
    builtin = getattr(importlib.import_module("builtins"), target, None)
    if builtin is not None:
        if inspect.isclass(builtin) and issubclass(builtin, BaseException):
            return f"https://docs.python.org/3/library/exceptions.html#{target}"
        if inspect.isclass(builtin):
            return f"https://docs.python.org/3/library/stdtypes.html#{target}"
        return f"https://docs.python.org/3/library/functions.html#{target}"
    return None


def _generated_page(base):
    def url(target):
        return base.format(target=target) if _import(target) is not None else None
    return url


EXTERNAL = {
    "sklearn": _sklearn_url,
    "numpy": _generated_page("https://numpy.org/doc/stable/reference/generated/{target}.html"),
    "pandas": _generated_page("https://pandas.pydata.org/docs/reference/api/{target}.html"),
    "matplotlib": _generated_page("https://matplotlib.org/stable/api/_as_gen/{target}.html"),
    "skops": _generated_page("https://skops.readthedocs.io/en/stable/modules/classes.html#{target}"),
    "joblib": _generated_page("https://joblib.readthedocs.io/en/stable/generated/{target}.html"),
}


def external_url(target):
    """URL of the documentation of a non-skfit object that exists, or None."""
    resolver = EXTERNAL.get(target.split(".")[0])
    if resolver is not None:
        return resolver(target)
    return _python_url(target)


def missing_reference(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"]
    _, aliases = public_names()
    documented = _skfit_target(target, aliases)
    if documented is not None and documented != target:
        domain = env.get_domain("py")
        return domain.resolve_xref(
            env, node["refdoc"], app.builder, node["reftype"], documented, node, contnode
        )
    url = external_url(target)
    if url is not None:
        reference = nodes.reference("", "", internal=False, refuri=url, reftitle=target)
        reference += contnode
        return reference
    return None


# -- class pages ----------------------------------------------------------------
def _from_skfit(obj):
    """Whether a member's code is skfit's (not scikit-learn's or Python's)."""
    if isinstance(obj, (property, classmethod, staticmethod)):
        obj = getattr(obj, "fget", None) or getattr(obj, "__func__", None)
    module = getattr(obj, "__module__", None) or ""
    return module.split(".")[0] == "skfit"


def skip_member(app, what, name, obj, skip, options):
    """Document only members whose code is skfit's on class pages."""
    if what == "class" and not name.startswith("_") and not _from_skfit(obj):
        return True  # listed, with links, by the skfit-sklearn-members directive
    return None


def data_docstring(app, what, name, obj, options, lines):
    """Give a public constant the docstring written under it in its own module.

    ``skfit.utils.SKOPS_TRUSTED_TYPES`` is defined in a private module and
    re-exported lazily, so autodoc, reading ``skfit/utils/__init__.py``, finds
    no docstring there and shows the ``list`` type's.
    """
    if what != "data" or not name.startswith("skfit."):
        return
    package, _, attribute = name.rpartition(".")
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith(package + ".") and vars(module).get(attribute) is obj:
            docs = ModuleAnalyzer.for_module(module_name).find_attr_docs()
            if ("", attribute) in docs:
                lines[:] = list(docs[("", attribute)])
                return


class SklearnMembers(Directive):
    """List the public methods a skfit class takes from scikit-learn, with links."""

    required_arguments = 1

    def run(self):
        cls = _import(self.arguments[0])
        items = []
        for name in sorted(dir(cls)):
            if name.startswith("_"):
                continue
            member = inspect.getattr_static(cls, name)
            if name.startswith("set_") and name.endswith("_request") or name == "get_metadata_routing":
                # generated by scikit-learn's metadata routing on every estimator
                items.append((name, SKLEARN_METADATA_ROUTING))
                continue
            if _from_skfit(member):
                continue
            for klass in cls.__mro__:
                public = klass.__module__.startswith("sklearn") and _public_sklearn_path(klass)
                if public and hasattr(klass, name):
                    items.append((name, _sklearn_url(f"{public}.{name}")))
                    break
        if not items:
            return []
        paragraph = nodes.paragraph()
        paragraph += nodes.Text("From scikit-learn (documented there): ")
        for i, (name, url) in enumerate(items):
            if i:
                paragraph += nodes.Text(", ")
            reference = nodes.reference("", "", internal=False, refuri=url)
            reference += nodes.literal(text=name)
            paragraph += reference
        paragraph += nodes.Text(".")
        rubric = nodes.rubric(text="Methods from scikit-learn")
        return [rubric, paragraph]


class TopLevelNames(Directive):
    """A paragraph of links to every name of ``skfit.__all__``."""

    def run(self):
        top = importlib.import_module("skfit")
        text = ", ".join(f":obj:`~skfit.{name}`" for name in top.__all__) + "."
        paragraph = nodes.paragraph()
        self.state.nested_parse(
            StringList([text], source="skfit.__all__"), self.content_offset, paragraph
        )
        return paragraph.children


class ExampleFigure(Directive):
    """The figure of a gallery example, captioned, with a link to the example.

    ``.. skfit-example-figure:: plot_capacity`` followed by the caption as
    content. A build that does not execute the gallery (``-D plot_gallery=0``)
    has no figure to show: the caption and the link remain.
    """

    required_arguments = 1
    has_content = True

    def run(self):
        env = self.state.document.settings.env
        stem = self.arguments[0]
        relative = f"auto_examples/images/sphx_glr_{stem}_001.png"
        env.note_dependency(relative)
        caption = " ".join(line.strip() for line in self.content)
        link = f"(:ref:`sphx_glr_auto_examples_{stem}.py`)"
        if (Path(env.srcdir) / relative).is_file():
            lines = [f".. figure:: /{relative}", "   :class: skfit-example-figure",
                     f"   :alt: {caption}", "", f"   {caption} {link}"]
        else:
            lines = [f"Figure: {caption} {link}"]
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source=stem), self.content_offset, container)
        return container.children


# -- completeness -----------------------------------------------------------------
def check_every_public_name(app, env):
    documented, _ = public_names()
    objects = env.get_domain("py").objects
    for name in documented:
        if name not in objects:
            logger.warning(
                "public name %s has no page in the API reference: add it to docs/api/index.rst",
                name,
            )


def setup(app):
    app.connect("missing-reference", missing_reference)
    app.connect("autodoc-skip-member", skip_member)
    app.connect("autodoc-process-docstring", data_docstring)
    app.connect("env-check-consistency", check_every_public_name)
    app.add_directive("skfit-sklearn-members", SklearnMembers)
    app.add_directive("skfit-toplevel-names", TopLevelNames)
    app.add_directive("skfit-example-figure", ExampleFigure)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
