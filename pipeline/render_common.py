"""What the proof-assistant renderers (lean_export, coq_export) share: their Jinja2 environment and
line-wrapped list literals.

Cosmetic only: neither changes a value; the wrapping keeps generated files readable."""

from __future__ import annotations

from pathlib import Path

import jinja2


def template_env(template_dir: Path) -> jinja2.Environment:
    """The strict Jinja2 environment of the renderers: an undefined name is an error, no HTML
    escaping, block tags leave no blank lines, files keep their final newline."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def wrap_list(items: list[str], indent: str, sep: str, width: int) -> str:
    """`[a<sep> b<sep> ...]`, starting a new line (prefixed by `indent` + one space) once a line
    would pass `width` characters."""
    lines, cur = [], ""
    for i, it in enumerate(items):
        piece = it + (sep if i + 1 < len(items) else "")
        if cur and len(cur) + 1 + len(piece) > width:
            lines.append(cur)
            cur = piece
        else:
            cur = piece if not cur else cur + " " + piece
    if not lines:
        return "[" + cur + "]"
    return "[" + ("\n" + indent + " ").join(lines + [cur]) + "]"
