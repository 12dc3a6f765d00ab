"""A module that is not installed is looked for once, not at every check: pandera tries to import
geopandas at each dtype check of each column, and each failed import searched sys.path again
(113 searches, 0.19 s of a city quarter's `sbsk run`)."""

from __future__ import annotations

import importlib.util
import sys

import pytest


class _Recorder:
    def __init__(self):
        self.asked: list[str] = []

    def find_spec(self, name, path=None, target=None):
        self.asked.append(name)
        return None  # the search goes on to the real finders


@pytest.mark.skipif(importlib.util.find_spec("geopandas") is not None, reason="geopandas is installed here")
def test_pandera_does_not_search_for_geopandas_at_every_check():
    import sbsk.schemas.pandera_schemas  # noqa: F401  (where the absence is remembered)
    from pandera.engines.pandas_engine import is_geopandas_dtype

    recorder = _Recorder()
    sys.meta_path.insert(0, recorder)
    try:
        assert [is_geopandas_dtype("int64") for _ in range(3)] == [False] * 3
    finally:
        sys.meta_path.remove(recorder)
    assert [name for name in recorder.asked if name.startswith("geopandas")] == []
