"""Lean export: Jinja2 rendering of certificates into the Lake package under lean/ (templates in
templates/lean/).  The renderer is untrusted; `lake build` re-checks everything it writes.
"""

from pipeline.lean_export.render import (  # noqa: F401
    lean_module_name,
    render_bench,
    render_certificate,
    write_root,
)
