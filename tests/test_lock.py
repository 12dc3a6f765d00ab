"""requirements.lock: `make demo`, `make test` and CI install exactly these versions (Makefile).

The lock must cover what pyproject.toml asks for (else `make lock` was forgotten after a change), pin
every package with its hashes (pip's --require-hashes mode refuses anything less), and be what this
test run is using (else the environment was installed some other way than `make install`).
"""

from __future__ import annotations

import re
import os
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"


def locked() -> list[tuple[Requirement, list[str]]]:
    """Each pinned requirement of the lock with its hashes."""
    text = LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    entries = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        hashes = re.findall(r"--hash=(sha256:[0-9a-f]{64})", line)
        entries.append((Requirement(re.sub(r"\s*--hash=\S+", "", line).strip()), hashes))
    return entries


def wanted() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    names = project["project"]["dependencies"] + project["project"]["optional-dependencies"]["test"]
    return [Requirement(r) for r in names + project["build-system"]["requires"]]


def test_every_pin_is_exact_and_hashed():
    entries = locked()
    assert len(entries) > 50  # prefect alone brings dozens
    for req, hashes in entries:
        (spec,) = req.specifier
        assert spec.operator == "==", req
        assert hashes, f"{req} has no hash"


def test_the_lock_covers_pyproject():
    pins: dict[str, list[str]] = {}
    for req, _ in locked():
        pins.setdefault(canonicalize_name(req.name), []).append(next(iter(req.specifier)).version)
    for req in wanted():
        versions = pins.get(canonicalize_name(req.name))
        assert versions, f"{req.name} is in pyproject.toml but not in requirements.lock: run `make lock`"
        for version in versions:
            assert req.specifier.contains(version, prereleases=True), \
                f"requirements.lock pins {req.name}=={version}, pyproject.toml asks {req}: run `make lock`"


def test_this_environment_is_the_lock():
    differ = []
    for req, _ in locked():
        if req.marker is not None and not req.marker.evaluate():
            continue
        want = next(iter(req.specifier)).version
        try:
            have = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            have = None
        if have != want:
            differ.append(f"{req.name} {have} (locked {want})")
    assert differ == [], ("installed versions differ from requirements.lock; install with `make install` "
                          "(pip install --require-hashes --no-deps -r requirements.lock): " + ", ".join(differ))


def test_a_fresh_venv_takes_the_lock_as_make_install_does(tmp_path):
    """`make install`'s own commands, in a new venv whose pip is the one ensurepip bundles (23.2 with
    Python 3.11, which refuses this lock in hash mode when it resolves dependencies itself: "httpx[http2]
    ... must be pinned"); the lock is only installed as a dry run, the editable install is left out."""
    venv = tmp_path / "venv"
    # under `make test` the outer make's MAKEFLAGS would make this one print "Entering directory" lines
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    plan = subprocess.run(["make", "--no-print-directory", "-n", "-B", "install", f"VENV={venv}",
                           f"PYTHON={sys.executable}"],
                          cwd=ROOT, capture_output=True, text=True, check=True, env=env).stdout.splitlines()
    assert plan[0].endswith(f"-m venv {venv}")
    lock_step = f"-r {LOCK.name}"
    for line in plan[: next(i for i, s in enumerate(plan) if s.endswith(lock_step)) + 1]:
        if line.endswith(lock_step):
            line += " --dry-run"
        done = subprocess.run(line, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{line}\n{done.stderr[-3000:]}"
