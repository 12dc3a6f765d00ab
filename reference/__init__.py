"""Reference data the office edits (units, groups, rubrics), shipped as package data (sbsk.reference)."""
