"""numpydoc's validation over skfit's public API: every public function, class, method.

The checks and their exceptions follow scikit-learn's own docstring test
(``sklearn/tests/test_docstrings.py``): everything is validated except
GL01/GL02 (blank-line placement), RT02 (a return type may name the object);
methods and properties need no extended summary, See Also or Examples
(ES01, SA01, EX01); a property needs no docstring of its own (GL08) when
its class documents it under Attributes.
"""

import importlib
import inspect

import pytest

numpydoc_validation = pytest.importorskip("numpydoc.validate")

PACKAGES = ["skfit", "skfit.model_selection", "skfit.diagnostics", "skfit.feature_selection",
            "skfit.datasets", "skfit.utils", "skfit.keras", "skfit.cli", "skfit.exceptions"]
IGNORED_EVERYWHERE = {"GL01", "GL02", "RT02"}
IGNORED_FOR_MEMBERS = {"ES01", "SA01", "EX01"}

def _public_objects():
    """(import path, owning class or None) of every public object and member."""
    objects = {}
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            obj = getattr(module, name)
            if not callable(obj):  # constants (SKOPS_TRUSTED_TYPES) are documented in the module
                continue
            path = f"{obj.__module__}.{obj.__qualname__}"
            objects[path] = None
            if inspect.isclass(obj):
                for attribute, value in vars(obj).items():
                    if attribute.startswith("_") or attribute.isupper():
                        continue
                    if callable(value) or isinstance(value, (property, classmethod)):
                        objects[f"{path}.{attribute}"] = obj
    return sorted(objects.items())


OBJECTS = _public_objects()


def _errors(path, owner):
    member = path.rsplit(".", 1)[-1]
    result = numpydoc_validation.validate(path)
    for code, message in result["errors"]:
        if code in IGNORED_EVERYWHERE:
            continue
        if owner is not None and code in IGNORED_FOR_MEMBERS:
            continue
        if owner is not None and code in ("GL08", "PR02") and \
                isinstance(vars(owner)[member], property) and _documented(owner, member):
            continue
        yield code, message


def _documented(owner, member):
    """Whether the class docstring lists ``member`` (under Attributes or Parameters)."""
    return any(line.strip().startswith(f"{member} :") for line in owner.__doc__.splitlines())


@pytest.mark.parametrize("path, owner", OBJECTS, ids=[path for path, _ in OBJECTS])
def test_docstring(path, owner):
    errors = dict(_errors(path, owner))
    assert not errors, "\n".join(f"{path}: {code} {message}" for code, message in errors.items())


def test_the_api_is_covered():
    paths = {path for path, _ in OBJECTS}
    for name in ("skfit.diagnostics._diagnose.diagnose",
                 "skfit.diagnostics._diagnosis.Diagnosis.plot",
                 "skfit.model_selection._sweep.capacity_sweep",
                 "skfit.keras._mlp.KerasMLPClassifier",
                 "skfit.model_selection._baseline_report.BaselineReport.to_frame"):
        assert name in paths
