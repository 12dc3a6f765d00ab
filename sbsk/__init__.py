"""sbsk: the 四比四看 evaluation pipeline.

The package's stages are its folders: config (reference data, rubric, periods), intake (files in,
guarded, read, validated), store (the warehouse and its SQL models), outputs (workbooks, documents,
explanations), samples (the demo year and the messy layouts). `flows`, `schemas`, `transforms` and
`reference` live at the repository's top level and are installed as sbsk.flows, sbsk.schemas,
sbsk.transforms and sbsk.reference (pyproject.toml maps them), so a wheel carries its data.
"""

from importlib import import_module
from pathlib import Path


def _folder(package: str) -> Path:
    # found through the import system, so the same code serves a source checkout and a wheel
    return Path(import_module(package).__file__).parent


REFERENCE_DIR = _folder("sbsk.reference")
TRANSFORMS_DIR = _folder("sbsk.transforms")
