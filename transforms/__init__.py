"""DuckDB SQL models, shipped as package data (sbsk.transforms); read by sbsk.store.models."""
