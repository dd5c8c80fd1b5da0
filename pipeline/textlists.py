"""Line-wrapped list literals for the proof-assistant renderers (lean_export, coq_export).

Cosmetic only: the wrapping never changes a value, it keeps generated files readable."""

from __future__ import annotations


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
