"""Certificates: the JSON schema (schema.py), the exact-integer replay (replay.py, the trusted base)
and the contract between them, the emitter and the Lean checker (FORMAT.md).
"""
