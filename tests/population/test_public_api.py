"""The public names of ``interop.population``."""

from __future__ import annotations

import inspect

import interop.population


def test_every_listed_name_exists_and_is_documented() -> None:
    names = interop.population.__all__
    assert len(names) == len(set(names))
    for name in names:
        obj = getattr(interop.population, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), name
