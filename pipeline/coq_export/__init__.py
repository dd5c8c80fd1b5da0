"""Render cubic certificates into Coq modules under coq/ (untrusted; see render.py)."""
