"""The level a reference set scores (SPEC §10, `level.toml`): its name, what its units are called,
the returns' unit column (header and aliases) and, one level up, the home unit whose rank sbsk
forecasts. The engine assumes nothing else about the level: a city scoring its counties and a
province scoring its cities run the same steps and the same SQL."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from sbsk import REFERENCE_DIR
from sbsk.schemas.definitions import Definitions, load_returns

LEVEL_FILE = "level.toml"
_KEYS = {"name", "unit_name", "unit_header", "unit_aliases", "home_unit"}


class LevelError(ValueError):
    """level.toml is broken; the message names the file and the key."""


class OtherLevel(ValueError):
    """A warehouse holds another reference set's units (sbsk.pipeline.same_level): choose another --out-dir."""


@dataclass(frozen=True)
class Level:
    name: str                       # 全市, 全省
    unit_name: str                  # what a unit is called: 县(市、区), 省辖市
    unit_header: str                # the returns' unit column
    unit_aliases: tuple[str, ...]
    home_unit: str | None = None    # the unit sbsk forecasts the rank of (one level up)

    def returns(self) -> Definitions:
        """The return definitions with this level's unit column (header and aliases)."""
        return load_returns().with_unit_column(self.unit_header, self.unit_aliases)


def load_level(reference_dir: Path | None = None) -> Level:
    """The level of a reference set; a set without level.toml is the city level of the shipped one."""
    folder = Path(reference_dir or REFERENCE_DIR)
    path = folder / LEVEL_FILE
    if not path.is_file():
        path = REFERENCE_DIR / LEVEL_FILE
    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise LevelError(f"{path}: not valid TOML: {exc}") from exc
    unknown = set(doc) - _KEYS
    if unknown:  # a misspelt key would otherwise be ignored silently
        raise LevelError(f"{path}: unknown key(s) {sorted(unknown)}; known: {sorted(_KEYS)}")
    for key in ("name", "unit_name", "unit_header"):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            raise LevelError(f"{path}: {key} must be a non-empty text")
    aliases = doc.get("unit_aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise LevelError(f"{path}: unit_aliases must be a list of texts")
    home = doc.get("home_unit")
    if home is not None and (not isinstance(home, str) or not (home.isdigit() and len(home) == 6)):
        raise LevelError(f"{path}: home_unit must be a six-digit division code written as text, e.g. \"410500\"")
    return Level(doc["name"].strip(), doc["unit_name"].strip(), doc["unit_header"].strip(),
                 tuple(a.strip() for a in aliases), home)
