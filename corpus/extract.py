"""Copy the corpus's spreadsheets out of bare git clones into a cache folder (corpus/manifest.toml).

    python corpus/extract.py --git poi=/path/to/poi.git --git calamine=... [--to /work/corpus]

Each file lands at <to>/<source>/<path in the repository>, taken from the pinned commit, so the
figures of a run are reproducible. Nothing is downloaded here: clone the repositories first.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def manifest() -> dict:
    return tomllib.loads((HERE / "manifest.toml").read_text(encoding="utf-8"))


def blobs(git_dir: Path, commit: str, paths: list[str], extensions: list[str]) -> list[tuple[str, str]]:
    """(blob id, path) of every file under `paths` at `commit` whose name ends in one of `extensions`."""
    listing = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "-z", commit, "--", *paths],
                             check=True, capture_output=True).stdout.decode("utf-8", "surrogateescape")
    found = []
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        mode, kind, blob = meta.split()
        if kind == "blob" and mode != "120000" and path.lower().endswith(tuple(extensions)):
            found.append((blob, path))
    return found


def extract(git_dir: Path, commit: str, paths: list[str], extensions: list[str], target: Path) -> tuple[int, int]:
    """(files written, files the clone lists but does not hold: a partial clone may leave its largest out)."""
    wanted = blobs(git_dir, commit, paths, extensions)
    written = 0
    with subprocess.Popen(["git", "--git-dir", str(git_dir), "cat-file", "--batch"], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE) as cat:
        for blob, path in wanted:
            cat.stdin.write(blob.encode() + b"\n")
            cat.stdin.flush()
            header = cat.stdout.readline().split()
            if len(header) < 3:  # "<id> missing"
                continue
            size = int(header[2])
            data = cat.stdout.read(size)
            cat.stdout.read(1)  # the newline after each object
            dest = target / path
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
            written += 1
        cat.stdin.close()
    return written, len(wanted) - written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--git", action="append", default=[], metavar="SOURCE=GIT_DIR",
                        help="a bare clone (or .git folder) of a source named in the manifest")
    parser.add_argument("--to", type=Path, default=Path("/work/corpus"))
    args = parser.parse_args()
    spec = manifest()
    dirs = dict(item.split("=", 1) for item in args.git)
    for source in spec["source"]:
        if source["name"] not in dirs:
            print(f"skip {source['name']}: no --git {source['name']}=… given ({source['repo']})", file=sys.stderr)
            continue
        n, absent = extract(Path(dirs[source["name"]]), source["commit"], source["paths"], spec["extensions"],
                    args.to / source["name"])
        print(f"{source['name']}: {n} files from {source['repo']}@{source['commit'][:10]} → {args.to / source['name']}"
              + (f" ({absent} listed but not in the clone)" if absent else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
