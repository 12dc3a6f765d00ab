"""Run `sbsk check`'s logic over every file of a folder and print the figures SECURITY.md records.

    python corpus/run.py /work/corpus [--jobs 2] [--timeout 180] [--json verdicts.json] [--show 40]

Each file is checked in a worker process (sbsk.intake.check.check_paths, exactly what `sbsk check`
does), one file at a time, under a wall-clock limit. For each file the runner records:

- traceback: an exception escaped the check (a verdict must always come back);
- hang: the check did not come back within --timeout seconds;
- the peak RSS of the sandboxed parse children and of the worker itself, per file (VmHWM, reset
  before each file through /proc/<pid>/clear_refs; a child killed on the memory cap is counted from
  the worker's RUSAGE_CHILDREN);
- wrong: a file refused as unreadable (damaged, not a workbook, an encoding, a bomb) that a
  reference reader (fastexcel or openpyxl, unguarded, in a capped process of its own) reads, or
  called empty while a reference reader finds values; a zip called damaged is checked with
  Python's zipfile (every part's CRC), which decides; a file taken for one of our returns is wrong
  too (none of these files is one). A refusal by our parser said as such (内部结构有误 …, 宏表)
  makes no claim about the file: it is counted apart, and must be clear like every message;
- unclear: a whole-file message naming an exception class (`（CalamineError）`), one that gives the
  clerk nothing to do (no 请…, and no limit or security refusal), the same message (or hint) twice,
  or an Excel 2.x–4.0 file not named as one;
- memory: a parse child that grew past 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MB = 1 << 20
GB = 1 << 30

# whole-file messages that say what is wrong with the file itself: wrong when the file is not so
CLAIMS = {
    "damaged": re.compile(r"文件不完整|截断|已损坏|被篡改|格式异常"),
    "not a workbook": re.compile(r"不是Excel工作簿|没有Excel工作簿|不含Excel工作簿|无法识别的文件格式|不是真正的Excel"),
    "encoding": re.compile(r"字符编码"),
    "bomb": re.compile(r"压缩炸弹|疑似恶意"),
    "empty": re.compile(r"工作簿是空的"),
}
# the parser's own refusal, said as such (内部结构有误，无法解析 / 宏表): a fact about our reader
PARSER = re.compile(r"内部结构有误|宏表")
NOT_A_RETURN = re.compile(r"未找到可识别的表头行|表头不完整|缺少必填列|同时符合多张报表")
EXCEPTION_NAME = re.compile(r"[A-Za-z]*(?:Error|Exception|Panic)\b|Traceback")
REFUSAL = re.compile(r"上限|已拒绝读取|疑似|恶意")


# ---- the worker: one file per line in, one JSON verdict per line out ----
def _hwm(pid: int | str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _reset_peak(pid: int | str) -> None:
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as fh:
            fh.write("5")  # resets the peak resident set size (Linux ≥ 4.0)
    except OSError:
        pass


def worker() -> None:
    import resource
    import traceback

    sys.path.insert(0, str(ROOT))
    from sbsk.intake import sandbox
    from sbsk.intake.check import check_paths

    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    for line in sys.stdin:
        path = Path(line.rstrip("\n"))
        children = [c.proc.pid for c in sandbox._idle]
        for pid in children + ["self"]:
            _reset_peak(pid)
        reaped = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        started = time.monotonic()
        answer: dict = {"path": str(path)}
        try:
            (verdict,) = check_paths([path], year=2020)
            answer.update(status=verdict["status"], return_code=verdict["return_code"],
                          messages=[e["message"] for e in verdict["errors"]][:20],
                          rows_read=verdict["rows_read"])
        except BaseException:  # noqa: B036 — a panic is a BaseException; every escape is a finding
            answer["traceback"] = traceback.format_exc()[-3000:]
        answer["seconds"] = time.monotonic() - started
        child_peak = max([_hwm(c.proc.pid) for c in sandbox._idle] + [0])
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        answer["child_rss"] = max(child_peak, after if after > reaped else 0)
        answer["worker_rss"] = _hwm("self")
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        out.flush()


# ---- the reference readers, unguarded, in a capped process ----
def reference_read(path: str) -> dict:
    """How many non-empty cells fastexcel and openpyxl (for .xlsx) read, both in one capped process;
    None where a reader fails on the file."""
    try:
        done = subprocess.run([sys.executable, "-c", _REFERENCE, path], capture_output=True, text=True, timeout=240)
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, ValueError, IndexError):
        return {"fastexcel": None}


def zip_damage(path: str) -> str | None:
    """The first part whose bytes fail their CRC (or the zip's own complaint), as Python's zipfile
    sees it: damage is a fact about the file, whatever a lenient reader makes of it."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip()
    except Exception as exc:  # noqa: BLE001 — any complaint is the finding
        return str(exc) or type(exc).__name__


_REFERENCE = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
path, found = sys.argv[1], {}
filled = lambda v: v is not None and str(v).strip() not in ("", "nan", "None")
try:
    import fastexcel
    book = fastexcel.read_excel(path)
    found["fastexcel"] = sum(sum(1 for column in book.load_sheet(n, header_row=None, dtypes="string").to_pandas().values.T
                                 for v in column if filled(v)) for n in book.sheet_names)
except BaseException:
    found["fastexcel"] = None
if path.lower().endswith((".xlsx", ".xlsm", ".xltx", ".xltm")):
    try:
        import openpyxl
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        found["openpyxl"] = sum(1 for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                                for v in row if filled(v))
    except BaseException:
        found["openpyxl"] = None
print(json.dumps(found))
"""


# ---- the parent ----
class Worker:
    def __init__(self):
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
        self.path: str | None = None
        self.since = 0.0

    def give(self, path: str) -> None:
        self.path, self.since = path, time.monotonic()
        self.proc.stdin.write(path + "\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()


def check_all(files: list[str], jobs: int, timeout: float, progress: bool) -> list[dict]:
    pending, results, workers = list(reversed(files)), [], [Worker() for _ in range(jobs)]
    busy: dict[int, Worker] = {}
    while pending or busy:
        for w in workers:
            if w.path is None and pending:
                w.give(pending.pop())
                busy[w.proc.stdout.fileno()] = w
        ready, _, _ = select.select(list(busy), [], [], 1.0)
        for fd in ready:
            w = busy.pop(fd)
            line = w.proc.stdout.readline()
            results.append(json.loads(line) if line else {"path": w.path, "traceback": "worker died"})
            if not line:
                workers[workers.index(w)] = Worker()
            w.path = None
            if progress and len(results) % 100 == 0:
                print(f"  {len(results)}/{len(files)}", file=sys.stderr)
        for fd, w in list(busy.items()):
            if time.monotonic() - w.since > timeout:
                results.append({"path": w.path, "hang": True, "seconds": timeout})
                del busy[fd]
                w.kill()
                workers[workers.index(w)] = Worker()
    for w in workers:
        w.proc.stdin.close()
        w.proc.wait()
    return results


def judge(result: dict, folder: Path) -> list[str]:
    """What is wrong with one verdict: [] when nothing is."""
    if "hang" in result:
        return ["hang"]
    if "traceback" in result:
        return ["traceback"]
    found, messages = [], result["messages"]
    if result.get("child_rss", 0) > GB:
        found.append("memory: a parse took over 1 GB")
    with open(result["path"], "rb") as fh:
        head = fh.read(4)
    old = {b"\x09\x00": "Excel 2.x", b"\x09\x02": "Excel 3.0", b"\x09\x04": "Excel 4.0"}.get(head[:2])
    if old and not any(old in m for m in messages):
        found.append(f"unclear: an {old} file not named as one")
    if result["status"] == "loaded":
        found.append("wrong: recognised as a return")
    for message in set(messages):
        text = message.split("：", 1)[-1]
        if EXCEPTION_NAME.search(text) or ("请" not in text and not REFUSAL.search(text)):
            found.append("unclear")
    if len(set(messages)) < len(messages) or any(len(set(m.split("；"))) < len(m.split("；")) for m in messages):
        found.append("unclear: repeated")
    if result["status"] != "rejected":
        return found
    text = " ".join(messages)
    parser = bool(PARSER.search(text))  # hedged ("可能已损坏，或由不规范的软件导出"): no claim about the file
    claims = [] if parser else [name for name, pattern in CLAIMS.items() if pattern.search(text)]
    if claims or parser:
        result["reference"] = reference_read(result["path"])
    read = {k: v for k, v in result.get("reference", {}).items() if v is not None}
    if claims == ["empty"]:
        if any(read.values()):
            found.append("wrong: empty, but a reference reader reads values")
    elif "damaged" in claims and result["path"].lower().endswith((".xlsx", ".xlsm", ".xltx", ".xltm")) \
            and zip_damage(result["path"]):
        result["damage"] = zip_damage(result["path"])  # objectively damaged: the verdict is right
    elif claims and read:
        found.append(f"wrong: {'/'.join(claims)}, but a reference reader reads it")
    if parser and read:
        result["parser_only"] = True  # our parser cannot, another can: said as such, with the remedy
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds before a file counts as a hang")
    parser.add_argument("--json", type=Path, help="write every verdict here")
    parser.add_argument("--show", type=int, default=40, help="how many problem files to list")
    parser.add_argument("--only", default="", help="only files whose path contains this text")
    args = parser.parse_args()
    if args.worker:
        worker()
        return 0
    if args.folder is None or not args.folder.is_dir():
        print(f"corpus folder {args.folder} not found: build it with corpus/extract.py (corpus/manifest.toml)",
              file=sys.stderr)
        return 2
    folder = args.folder.resolve()
    extensions = tuple(tomllib.loads((HERE / "manifest.toml").read_text(encoding="utf-8"))["extensions"])
    files = sorted(str(p) for p in folder.rglob("*")
                   if p.is_file() and p.name.lower().endswith(extensions) and args.only in str(p))
    started = time.monotonic()
    results = check_all(files, args.jobs, args.timeout, progress=True)
    wall = time.monotonic() - started
    from concurrent.futures import ThreadPoolExecutor

    results.sort(key=lambda r: r["path"])
    with ThreadPoolExecutor(args.jobs) as pool:  # the reference readers run in processes of their own
        for r, found in zip(results, pool.map(lambda r: judge(r, folder), results)):
            r["problems"] = found
    problems = Counter(kind for r in results for kind in {p.split(":")[0] for p in r["problems"]})
    listed = [r for r in results if r["problems"]]
    verdicts = Counter(_kind(r) for r in results)
    peak_child = max(results, key=lambda r: r.get("child_rss", 0))
    peak_worker = max(results, key=lambda r: r.get("worker_rss", 0))
    slowest = max(results, key=lambda r: r.get("seconds", 0))
    print(f"files {len(results)}  wall {wall:.0f} s  jobs {args.jobs}")
    print(f"tracebacks {problems['traceback']}  hangs {problems['hang']}  wrong {problems['wrong']}  "
          f"unclear {problems['unclear']}  parses over 1 GB {problems['memory']}  (refused by our parser though openpyxl reads them: "
          f"{sum(1 for r in results if r.get('parser_only'))}; damaged zips, CRC checked: "
          f"{sum(1 for r in results if r.get('damage'))})")
    print(f"max child RSS {peak_child.get('child_rss', 0) / MB:.0f} MB ({_rel(peak_child, folder)})  "
          f"max worker RSS {peak_worker.get('worker_rss', 0) / MB:.0f} MB ({_rel(peak_worker, folder)})  "
          f"slowest {slowest.get('seconds', 0):.1f} s ({_rel(slowest, folder)})")
    print("verdicts: " + ", ".join(f"{k} {n}" for k, n in verdicts.most_common()))
    for r in listed[:args.show]:
        print(f"- {_rel(r, folder)}: {', '.join(r['problems'])}: "
              f"{(r.get('messages') or [r.get('traceback', '')])[0][-300:]} {r.get('reference', '')}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if problems else 0


def _kind(r: dict) -> str:
    if "hang" in r or "traceback" in r:
        return "hang" if "hang" in r else "traceback"
    if r["status"] == "loaded":
        return "loaded"
    text = " ".join(r["messages"])
    if NOT_A_RETURN.search(text):
        return "read, not a return"
    return "refused"


def _rel(r: dict, folder: Path) -> str:
    return Path(r["path"]).relative_to(folder).as_posix()


if __name__ == "__main__":
    sys.exit(main())
