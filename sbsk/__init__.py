"""sbsk: the 四比四看 quarterly evaluation pipeline."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = PROJECT_ROOT / "reference"
TRANSFORMS_DIR = PROJECT_ROOT / "transforms"
