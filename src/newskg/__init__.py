"""newskg: hedged, attributed news reports as an RDF knowledge graph.

The Python API (`newskg.api`) is importable from here: ``newskg.build(...)``,
``newskg.check(...)``, ``newskg.run_query(...)``, ``newskg.explain(...)`` ... It is loaded on
first use, so ``import newskg`` costs nothing.
"""

__version__ = "0.1.0"

_API = ("build", "check", "explain", "stats", "list_queries", "find_query", "prepare_query",
        "open_engine", "execute", "run_query", "run_all", "load", "Project")


def __getattr__(name: str):
    if name in _API:
        from newskg import api

        return getattr(api, name)
    raise AttributeError(f"module 'newskg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_API))
