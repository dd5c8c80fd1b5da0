"""Where the package's non-Python files are: the hand-written Coq project, the Jinja2 templates, and
the Lean skeleton (the Lake project files that are not rendered per certificate).

The checkout's top-level folders coq/, templates/ and lean/ are the source of truth.  The build step
in setup.py copies the files that share_files() names into the built package, under
pipeline/_share/ with the same relative paths, as real files (never links: the Coq build refuses a
source reached through a symbolic link).  So:

    running from a checkout (editable install, or PYTHONPATH=the checkout)  -> the checkout's folders
    running from an installed wheel (pip install ., from any folder)        -> pipeline/_share/

    share_root()          the folder holding coq/, templates/ and lean/ (one of the two above)
    coq_dir()             the hand-written Coq project (coq/_CoqProject and the files it lists)
    templates_dir()       the Jinja2 templates (templates/coq/**, templates/lean/**)
    lean_skeleton_dir()   the Lean skeleton: LEAN_SKELETON, relative to this folder
    source_path(rel)      share_root() / rel, for a checkout-relative path such as
                          "templates/coq/cert.v.j2" or "coq/Spec.v"

Standard library only: setup.py loads this file by itself, without importing the package.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SHARE_DIR = PACKAGE_DIR / "_share"   # the packaged copies (only in a built wheel)
CHECKOUT_DIR = PACKAGE_DIR.parent    # the repository, when running from a checkout

# The Lean skeleton, relative to lean/: what `maxk export-lean` copies into every Lake project it
# builds, and what every archive carries unchanged (lean_export/face.py's HAND_WRITTEN).  Everything
# else under lean/ is rendered (MaxKCert.lean, MaxKCert/Certs/**, MaxKCert/Bench.lean) or docs.
LEAN_SKELETON = ("MaxKCert/Checker.lean", "lakefile.toml", "lean-toolchain")
# The exact kind's checker (imports Checker.lean): copied only into the Lake projects of exact
# certificates, so that the cubic projects and archives are unchanged.
LEAN_EXACT_SKELETON = ("MaxKCert/CheckerExact.lean",)
# Besides _CoqProject and the files it lists, the packaged Coq project carries its reading order.
COQ_EXTRA = ("README.md",)
TEMPLATE_FOLDERS = ("coq", "lean")   # templates/coq/**, templates/lean/**
TEMPLATE_SUFFIX = ".j2"


def coq_listed(coq: Path) -> list[str]:
    """The .v files that coq/_CoqProject lists, in its order (the first word of each line)."""
    text = (Path(coq) / "_CoqProject").read_text()
    return [w for line in text.splitlines() for w in line.split()[:1] if w.endswith(".v")]


def share_files(root: Path) -> list[str]:
    """Every packaged file, as POSIX paths relative to `root` (a checkout, or a _share tree):
    coq/_CoqProject, every .v file it lists and coq/README.md; every *.j2 under templates/coq and
    templates/lean; lean/ + each LEAN_SKELETON file.  Sorted.  Raises OSError if _CoqProject is
    missing."""
    root = Path(root)
    out = ["coq/_CoqProject"] + [f"coq/{rel}" for rel in coq_listed(root / "coq")]
    out += [f"coq/{rel}" for rel in COQ_EXTRA]
    for folder in TEMPLATE_FOLDERS:
        base = root / "templates" / folder
        out += [p.relative_to(root).as_posix() for p in base.rglob(f"*{TEMPLATE_SUFFIX}") if p.is_file()]
    out += [f"lean/{rel}" for rel in LEAN_SKELETON + LEAN_EXACT_SKELETON]
    return sorted(set(out))


def is_checkout(root: Path = CHECKOUT_DIR) -> bool:
    """True if `root` is a source checkout of this project (its pyproject.toml and the three folders)."""
    root = Path(root)
    return ((root / "pyproject.toml").is_file() and (root / "coq" / "_CoqProject").is_file()
            and (root / "templates").is_dir() and (root / "lean" / "lakefile.toml").is_file())


def share_root() -> Path:
    """The folder holding coq/, templates/ and lean/: the checkout when running from one, otherwise
    the packaged copies (pipeline/_share/)."""
    return CHECKOUT_DIR if is_checkout(CHECKOUT_DIR) else SHARE_DIR


def coq_dir() -> Path:
    return share_root() / "coq"


def templates_dir() -> Path:
    return share_root() / "templates"


def lean_skeleton_dir() -> Path:
    return share_root() / "lean"


def source_path(rel: str) -> Path:
    """share_root() / rel, for a checkout-relative path ("templates/coq/cert.v.j2", "coq/Spec.v")."""
    return share_root() / rel


def lean_skeleton(exact: bool = False) -> dict[str, bytes]:
    """{path relative to the Lake project: bytes} of the Lean skeleton (with `exact`, also
    LEAN_EXACT_SKELETON).  Raises OSError if one is missing."""
    base = lean_skeleton_dir()
    rels = LEAN_SKELETON + (LEAN_EXACT_SKELETON if exact else ())
    return {rel: (base / rel).read_bytes() for rel in rels}
