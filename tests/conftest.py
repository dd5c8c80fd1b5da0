"""Shared fixtures: one cache of compiled Coq layers for the whole test session, so that the
hand-written proof is compiled once however many Coq tests run (pipeline/coq_export/build.py
reuses a compiled file only under the content key it was compiled with)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def coq_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("coq-cache")
