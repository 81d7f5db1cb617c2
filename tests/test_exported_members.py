"""``provenance.__all__`` lists exactly the public names the package exports."""

from __future__ import annotations

import types

import provenance


def test_all_imports_are_exported() -> None:
    exported = getattr(provenance, "__all__", None)
    assert exported is not None, "provenance/__init__.py defines no __all__"
    # Submodules become attributes of the package as soon as anything imports them;
    # they are reached as provenance.<module>, not re-exported names.
    members = sorted(
        name
        for name, value in vars(provenance).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    )
    assert sorted(exported) == members
    assert len(set(exported)) == len(exported), "__all__ lists a name twice"


def test_every_name_in_all_is_importable() -> None:
    namespace: dict[str, object] = {}
    exec("from provenance import *", namespace)
    exported: list[str] = getattr(provenance, "__all__", [])
    missing = [name for name in exported if name not in namespace]
    assert missing == []
