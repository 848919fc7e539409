"""The public names of the fingerprint engine (in the manner of httpx's exported-members test)."""

from __future__ import annotations

import importlib
import inspect
import types

import pytest

import interop.fingerprints

PACKAGES = [
    "interop.fingerprints",
    "interop.fingerprints.extraction",
    "interop.fingerprints.matcher",
    "interop.fingerprints.codecs",
    "interop.fingerprints.synth",
]

# What ``from interop.fingerprints import ...`` must offer: the pipeline (image in,
# template out, comparison), the record codecs, the image API and every error.
FACADE = {
    # extraction
    "extract": "interop.fingerprints.extraction",
    "ExtractionParameters": "interop.fingerprints.extraction",
    # comparison
    "prepare": "interop.fingerprints.matcher",
    "compare": "interop.fingerprints.matcher",
    "compare_templates": "interop.fingerprints.matcher",
    "PreparedTemplate": "interop.fingerprints.matcher",
    "MatcherParameters": "interop.fingerprints.matcher",
    # minutiae records
    "detect": "interop.fingerprints.codecs",
    "decode_template": "interop.fingerprints.codecs",
    "decode_record": "interop.fingerprints.codecs",
    "encode_template": "interop.fingerprints.codecs",
    "encode_record": "interop.fingerprints.codecs",
    # images
    "DecodedImage": "interop.fingerprints.image",
    "decode_image": "interop.fingerprints.image",
    "decode_raw": "interop.fingerprints.image",
    "load_fingerprint": "interop.fingerprints.image",
    "normalize_resolution": "interop.fingerprints.image",
    # templates
    "Template": "interop.fingerprints.template",
    "Minutia": "interop.fingerprints.template",
    "MinutiaType": "interop.fingerprints.template",
    # errors
    "FingerprintError": "interop.fingerprints.errors",
    "ImageError": "interop.fingerprints.errors",
    "ImageDecodeError": "interop.fingerprints.errors",
    "ImageLimitError": "interop.fingerprints.errors",
    "TemplateError": "interop.fingerprints.errors",
    "TemplateDecodeError": "interop.fingerprints.errors",
    "TemplateEncodeError": "interop.fingerprints.errors",
    "ExtractionError": "interop.fingerprints.errors",
    "FailureToEnrol": "interop.fingerprints.errors",
}


@pytest.mark.parametrize("package", PACKAGES)
def test_every_listed_name_exists_and_star_imports(package: str) -> None:
    module = importlib.import_module(package)
    names = module.__all__
    assert len(names) == len(set(names)), "duplicates in __all__"
    missing = [name for name in names if not hasattr(module, name)]
    assert not missing, f"{package}.__all__ names missing attributes: {missing}"
    namespace: dict[str, object] = {}
    exec(f"from {package} import *", namespace)  # the behaviour under test
    namespace.pop("__builtins__")
    assert set(namespace) == set(names)


@pytest.mark.parametrize("package", PACKAGES)
def test_exported_classes_and_functions_are_documented(package: str) -> None:
    module = importlib.import_module(package)
    undocumented = [
        name
        for name in module.__all__
        if (inspect.isclass(obj := getattr(module, name)) or inspect.isfunction(obj))
        and not inspect.getdoc(obj)
    ]
    assert not undocumented


@pytest.mark.parametrize("package", ["interop.fingerprints", "interop.fingerprints.matcher"])
def test_all_public_members_are_exported(package: str) -> None:
    """A façade package lists every public object it holds (submodules aside)."""
    module = importlib.import_module(package)
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"  # from __future__ import annotations
    }
    assert sorted(public - set(module.__all__)) == []


def test_facade_exports_the_engine() -> None:
    exported = set(interop.fingerprints.__all__)
    missing = sorted(set(FACADE) - exported)
    assert not missing, f"interop.fingerprints.__all__ lacks {missing}"


@pytest.mark.parametrize("name", sorted(FACADE))
def test_facade_names_are_the_stage_modules_objects(name: str) -> None:
    """``interop.fingerprints.X`` is the very object of the module that defines X."""
    home = importlib.import_module(FACADE[name])
    assert getattr(interop.fingerprints, name, None) is getattr(home, name)


def test_errors_form_one_hierarchy() -> None:
    from interop.fingerprints import errors

    for name in dir(errors):
        obj = getattr(errors, name)
        if inspect.isclass(obj) and obj.__module__ == errors.__name__:
            assert issubclass(obj, errors.FingerprintError)
            assert name in interop.fingerprints.__all__
