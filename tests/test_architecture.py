"""The pure core imports no edge library (STYLE.md, "The layout shows the architecture").

Each core module is imported in a fresh interpreter, so what another test imported
cannot hide a dependency, and an edge library pulled in indirectly (through another
provenance module or a third-party package) is caught as well as a direct import.
The probe also records which module first imported each edge library, so a failure
names the culprit.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CORE_MODULES = [
    "provenance.models",
    "provenance.errors",
    "provenance.normalize",
    "provenance.language",
    "provenance.shingle",
    "provenance.fingerprint",
    "provenance.match",
    "provenance.cluster",
    "provenance.settle",
    "provenance.trace",
    "provenance.reasons",
    "provenance.weights",
    "provenance.urls",
    "provenance.outlet",
    "provenance.dates",
    "provenance.declared",
    "provenance.boilerplate",
    "provenance.extract",
    "provenance.body_text",
    "provenance.raw_record",
    "provenance.jsonl",
    "provenance.warc",
    "provenance.jsonld",
    "provenance.charset",
    "provenance.evidence",
    "provenance.timing_evidence",
    "provenance.printed_dates",
    "provenance.arborescence",
    "provenance.alignment",
    "provenance.diff",
    "provenance.network",
    "provenance.network_graph",
]

EDGE_LIBRARIES = [
    "celery",
    "fastapi",
    "sqlalchemy",
    "httpx",
    "psycopg",
    "redis",
    "alembic",
    "typer",
    "uvicorn",
]

#: (edge library, third-party module that may load it). datasketch.storage imports
#: redis whenever it is installed, for its optional Redis-backed LSH; none of our
#: code uses it. Pairs are exact so that a core module's own import is still caught.
TOLERATED = {("redis", "datasketch.storage")}

# Runs in the child: a meta-path finder that sees each edge library's first import
# and walks the stack past the import machinery to the module that asked for it.
_PROBE = """
import importlib, json, sys
edges = set(json.loads(sys.argv[2]))
importers = {}
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name in edges and name not in importers:
            frame = sys._getframe(1)
            while frame is not None and frame.f_globals.get("__name__", "").startswith("importlib"):
                frame = frame.f_back
            importers[name] = frame.f_globals.get("__name__", "?") if frame else "?"
        return None
sys.meta_path.insert(0, Watch())
importlib.import_module(sys.argv[1])
loaded = {name.partition(".")[0] for name in sys.modules} & edges
print(json.dumps({name: importers.get(name, "?") for name in sorted(loaded)}))
"""


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_no_edge_library(module: str) -> None:
    # A missing module fails here too: every name on the list is part of the core.
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, module, json.dumps(EDGE_LIBRARIES)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"cannot import {module}:\n{done.stderr}"
    loaded: dict[str, str] = json.loads(done.stdout)
    offending = {edge: by for edge, by in loaded.items() if (edge, by) not in TOLERATED}
    assert offending == {}, f"{module} loads edge libraries (library: first importer)"
