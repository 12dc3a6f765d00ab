"""Who to call at each department (reference/departments.csv): data the office keeps, validated on load.

Columns: department (folder code, as in schemas/returns.toml), name (the department's name or one of
its accepted names), contact (联系人) and phone (联系电话). Contact and phone may be left empty until the
office knows them; the 催报单 then says so. Every department appears exactly once.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from sbsk import REFERENCE_DIR
from sbsk.schemas.definitions import Definitions
from sbsk.text import squash

DEPARTMENTS_FILE = REFERENCE_DIR / "departments.csv"
COLUMNS = ("department", "name", "contact", "phone")
# digits with the usual separators, an optional +86 and an extension (0372-1234567 转 801)
_PHONE = re.compile(r"^\+?[\d\s()（）\-－]{5,}(\s*(转|ext\.?|x)\s*\d+)?$", re.IGNORECASE)


class DepartmentsError(ValueError):
    """departments.csv is broken; the message names the file, line and column."""


@dataclass(frozen=True)
class Contact:
    department: str
    name: str
    contact: str
    phone: str

    @property
    def text(self) -> str:
        if not self.contact and not self.phone:
            return f"联系人：未登记（请在 {DEPARTMENTS_FILE.name} 中填写）"
        return f"联系人：{self.contact or '未登记'}　联系电话：{self.phone or '未登记'}"


def departments_file(reference_dir: Path | None = None) -> Path:
    """The contacts file of a reference set (--reference DIR) when it keeps one, else the shipped one:
    the departments are those of returns.toml at every level, so a set need not repeat their contacts."""
    own = Path(reference_dir) / DEPARTMENTS_FILE.name if reference_dir else None
    return own if own is not None and own.is_file() else DEPARTMENTS_FILE


def load_departments(defs: Definitions, path: Path | None = None) -> dict[str, Contact]:
    path = Path(path or DEPARTMENTS_FILE)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in reader.fieldnames or ()]
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise DepartmentsError(f"{path.name}：缺少列 {'、'.join(missing)}（应有列：{','.join(COLUMNS)}）")
            rows = [(line, {k.strip(): (v or "").strip() for k, v in row.items() if k})
                    for line, row in enumerate(reader, start=2)]
    except OSError as exc:
        raise DepartmentsError(f"{path}：无法读取（{exc.strerror}）") from exc
    except UnicodeDecodeError as exc:
        raise DepartmentsError(f"{path.name}：不是 UTF-8 编码的 CSV 文件，请另存为 UTF-8") from exc
    found: dict[str, Contact] = {}
    for line, row in rows:
        if not any(row.values()):
            continue
        where = f"{path.name} 第{line}行"
        code = row["department"]
        dept = defs.departments.get(code)
        if dept is None:
            raise DepartmentsError(f"{where} department 列：「{code}」不是部门代码，应为 {'、'.join(defs.departments)} 之一")
        if code in found:
            raise DepartmentsError(f"{where} department 列：部门「{code}」重复登记，每个部门只能有一行")
        if squash(row["name"]) not in {squash(dept.name), *(squash(a) for a in dept.aliases)}:
            raise DepartmentsError(f"{where} name 列：「{row['name']}」不是部门「{code}」的名称（应为{dept.name}）")
        if row["phone"] and not _PHONE.match(row["phone"]):
            raise DepartmentsError(f"{where} phone 列：「{row['phone']}」不是电话号码（例如 0372-1234567 或 13800000000）")
        found[code] = Contact(code, dept.name, row["contact"], row["phone"])
    absent = [c for c in defs.departments if c not in found]
    if absent:
        raise DepartmentsError(f"{path.name}：缺少部门 {'、'.join(absent)} 的联系人行")
    return found
