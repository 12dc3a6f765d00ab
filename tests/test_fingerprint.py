"""The cache fingerprint (sbsk/fingerprint.py) is asked for by every ingest thread at once; it must be
worked out once, and cover what decides a verdict and nothing under __pycache__."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sbsk import fingerprint


def test_threads_asking_at_once_work_it_out_once(monkeypatch):
    calls = []
    real = fingerprint._covered

    def slow_covered():
        calls.append(threading.get_ident())
        time.sleep(0.05)  # long enough that unguarded threads all get inside
        return real()

    monkeypatch.setattr(fingerprint, "_covered", slow_covered)
    fingerprint._code_fingerprint.cache_clear()
    try:
        start = threading.Barrier(8)

        def ask():
            start.wait()
            return fingerprint.code_fingerprint()

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: ask(), range(8)))
    finally:
        fingerprint._code_fingerprint.cache_clear()
    assert len(calls) == 1
    assert len(set(answers)) == 1


def test_it_covers_the_code_and_reference_but_no_bytecode_outputs_or_samples():
    names = [rel for rel, _ in fingerprint._covered()]
    assert "sbsk/fingerprint.py" in names
    assert "flows/quarter.py" in names
    assert any(n.startswith("schemas/") for n in names)
    assert any(n.startswith("reference/") and n.endswith(".csv") for n in names)
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert not any(n.startswith(("sbsk/outputs/", "sbsk/samples/")) for n in names)
