"""Where commands write when no output path is given, and the guard on output folders.

No command writes into the repository's tracked files unless told to: without an output flag,
outputs go to a fresh folder under ./maxk-out/ in the current folder (git-ignored in the checkout),
never into artifacts/ or lean/:

    certify, bounds, frontier (one model), archive   ./maxk-out/<model stem>/
    frontier (several models)                        ./maxk-out/frontier/
    export-lean                                      ./maxk-out/<certificate name>/lean/  (a whole Lake project)
    lean-bench                                       ./maxk-out/lean-bench/lean/           (a whole Lake project)
    train                                            ./maxk-out/models/
    sweep                                            ./maxk-out/sweeps/max<K>-<seeds>/

Every output folder that bounds, frontier, export-lean, lean-bench, certify and archive write into
(default or given) carries the marker file MARKER.  An existing non-empty folder without it is not a
previous maxk output: it is refused (bad input, one line, exit 2) before anything is written.  The
shipped folders that the Makefile writes into (artifacts/reports/, lean/) carry the marker.
"""

from __future__ import annotations

from pathlib import Path

from .errors import PipelineError
from .fileio import atomic_write_bytes

DEFAULT_ROOT = Path("maxk-out")
MARKER = ".maxk-output"
MARKER_TEXT = (b"This folder is written by maxk (the Max-of-K certificate pipeline): its commands add and\n"
               b"replace their own files here.  A non-empty folder without this file is refused as output.\n")


def default_dir(*parts: str) -> Path:
    """./maxk-out/<parts...> (relative to the current folder)."""
    return DEFAULT_ROOT.joinpath(*parts)


def is_maxk_output(path) -> bool:
    """True if `path` is a folder that maxk wrote into before (it holds MARKER as a regular file)."""
    m = Path(path) / MARKER
    return m.is_file() and not m.is_symlink()


def check_output_dir(path) -> Path:
    """An output folder that may be written: new, empty, or a previous maxk output (MARKER); no file
    on its way.  Writes nothing.  Raises PipelineError (bad input, one line) otherwise."""
    path = Path(path)
    for p in (path, *path.parents):
        if p.exists() and not p.is_dir():
            raise PipelineError(path, "not a folder" if p == path else f"{p} is not a folder")
    if path.is_dir() and not is_maxk_output(path):
        try:
            empty = next(path.iterdir(), None) is None
        except OSError as e:
            raise PipelineError(path, f"cannot list the folder ({e.strerror or e})") from None
        if not empty:
            raise PipelineError(path, f"a non-empty folder that is not a maxk output folder (it has no {MARKER}); "
                                "give a new or empty folder")
    return path


def claim_output_dir(path) -> Path:
    """Create `path` (and its parents) and mark it as a maxk output folder (MARKER, if absent).
    Call after check_output_dir and after the work, just before the outputs are written."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    if not is_maxk_output(path):
        atomic_write_bytes(path / MARKER, MARKER_TEXT)
    return path


def safe_stem(name: str) -> str:
    """A folder name made from a model stem or certificate name: runs of characters other than
    ASCII letters, digits, '.', '_' and '-' become '_'; no leading dot."""
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(name)).lstrip(".") or "model"
