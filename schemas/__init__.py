"""Return definitions (returns.toml) and the Pandera schemas derived from them."""

from sbsk.schemas.definitions import Column, Department, ReturnDef, load_returns

__all__ = ["Column", "Department", "ReturnDef", "load_returns"]
