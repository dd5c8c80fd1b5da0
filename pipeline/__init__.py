"""Certified accuracy lower bounds for 1-layer attention-only Max-of-K transformers.

Data flow: checkpoint (safetensors) -> path matrices -> strategy (brute force | cubic)
-> bound + FLOP count + certificate -> exact Python replay / Lean 4 export.
The command-line entry point is `maxk` (pipeline/cli.py); `maxk --help` lists the steps.
"""

__version__ = "0.1.0"
