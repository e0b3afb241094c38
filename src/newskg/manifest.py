"""The build manifest (build/manifest.json): written by the build, read by every command.

One place reads it, so "no build" and "broken build" say the same thing everywhere. No
rdflib here: `newskg query run` reads the manifest and must start fast.
"""

from __future__ import annotations

import json
from pathlib import Path

from newskg.errors import BuildMissingError

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
_HINT = "run `newskg build` first"


def manifest_path(build_dir: Path) -> Path:
    """Where a build folder keeps its manifest."""
    return Path(build_dir) / MANIFEST_NAME


def read_manifest(build_dir: Path, hint: str = _HINT) -> dict:
    """The manifest of a build; BuildMissingError if it is absent, corrupt or lists no graphs."""
    path = manifest_path(build_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        graphs = data["graphs"]
        if not isinstance(graphs, list):
            raise TypeError("'graphs' is not a list")
    except FileNotFoundError:
        raise BuildMissingError(f"{path} is missing; {hint}") from None
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise BuildMissingError(f"{path} is corrupt ({type(err).__name__}: {err}); {hint}") from None
    return data


def find_manifest(build_dir: Path) -> dict | None:
    """The manifest of a build, or None when there is no usable one (the build then runs)."""
    try:
        return read_manifest(build_dir)
    except BuildMissingError:
        return None


def write_manifest(build_dir: Path, manifest: dict) -> None:
    """Write the manifest; a build folder is complete once it has one, so write it last."""
    manifest_path(build_dir).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
