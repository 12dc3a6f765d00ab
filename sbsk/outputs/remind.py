"""`sbsk remind PERIOD` writes the 催报单 workbook (SPEC §12): a summary sheet, then a sheet per
department with something missing or rejected. Every sheet prints on A4 landscape, fitted to the
width, long text wrapped, never cut."""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from sbsk.config.periods import Period
from sbsk.files import atomic_path
from sbsk.intake.submissions import OUTSTANDING
from sbsk.outputs.sheets import INTEGER_FORMAT, fit_rows, set_widths, setup_page, write_table, write_title
from sbsk.outputs.reminder import UNASSIGNED, Combine, Reminder, build_reminder
from sbsk.outputs.return_writer import put_text_safe

_SECTION = Font(name="黑体", bold=True, size=12)
_LINE = Font(name="宋体", size=11)
WIDTHS = [18, 32, 12, 9, 17, 22, 46]   # the seven columns of a department sheet
SUMMARY_WIDTHS = [22, 12, 17, 7, 8, 9, 9, 7, 10, 12]
def _date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _time(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def _line(ws: Worksheet, row: int, text: str, width: int, font: Font = _LINE) -> int:
    cell = ws.cell(row, 1)
    put_text_safe(cell, text)
    cell.font = font
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 20
    return row + 1


def _kind_end(reminder: Reminder) -> str:
    return "季末" if reminder.period.kind == "quarter" else "月末"


def _due_line(reminder: Reminder) -> str:
    return (f"报送截止：{_date(reminder.due_on)}（{_kind_end(reminder)}后第{reminder.due_working_day}个工作日）"
            f"　统计时间：{_time(reminder.made_at)}（北京时间）")


def _late(value, state: str) -> str | int:
    if value is None:
        return "无法计算"
    return value if value else ("未逾期" if state != "未报" else 0)


def _todo(sub) -> str:
    if sub.state == "未报":
        overdue = f"已逾期{sub.working_days_late}个工作日，" if sub.working_days_late else ""
        return f"尚未报送，{overdue}请尽快报送"
    if sub.state == "整表退回":
        return "文件整表退回，请按“需要更正的内容”修改后重新报送"
    if sub.state == "部分退回":
        return f"有{sub.rows_rejected}行未能入库，请按“需要更正的内容”修改后重新报送完整文件"
    return "已入库，无需处理"


def _summary(ws: Worksheet, reminder: Reminder) -> None:
    ws.title = "汇总"
    defs = reminder.defs
    width = len(SUMMARY_WIDTHS)
    write_title(ws, f"{reminder.period.chinese}报表催报汇总", width)
    row = _line(ws, 2, _due_line(reminder), width)
    headers = ["部门", "联系人", "联系电话", "应报", "已入库", "部分退回", "整表退回", "未报", "需更正处", "最长逾期(工作日)"]
    rows = []
    for code, dept in defs.departments.items():
        subs, problems = reminder.of(code)
        count = {s: sum(1 for x in subs if x.state == s) for s in ("已入库", "部分退回", "整表退回", "未报")}
        late = max((s.working_days_late or 0 for s in subs), default=0)
        contact = reminder.contacts.get(code)
        rows.append([dept.name, contact.contact if contact else "", contact.phone if contact else "", len(subs),
                     *count.values(), len(problems), late])
    stray = reminder.of(UNASSIGNED)[1]
    if stray:
        rows.append([UNASSIGNED, "", "", 0, 0, 0, 0, 0, len(stray), 0])
    row = write_table(ws, row + 1, headers, rows, formats=[None] * 3 + [INTEGER_FORMAT] * 7, wrap=(0, 1, 2),
                      center=tuple(range(3, width)))
    done = not reminder.departments
    _line(ws, row + 1, "各部门报表均已入库，无需催报。" if done else
          "有未报或退回内容的部门各有一张工作表，列明缺报的报表、需要更正的文件和行，可直接打印发送。", width)
    set_widths(ws, SUMMARY_WIDTHS)
    fit_rows(ws, SUMMARY_WIDTHS)
    setup_page(ws, "1:2")


def _department(ws: Worksheet, reminder: Reminder, code: str) -> None:
    defs = reminder.defs
    subs, problems = reminder.of(code)
    name = defs.departments[code].name if code in defs.departments else UNASSIGNED
    width = len(WIDTHS)
    write_title(ws, f"{reminder.period.chinese}报表催报单", width)
    contact = reminder.contacts.get(code)
    row = _line(ws, 2, f"致：{name}　{contact.text if contact else '（不在任何部门目录下的文件，请专班办公室核实来源）'}",
                width)
    row = _line(ws, row, _due_line(reminder), width)
    if subs:
        row = _line(ws, row + 1, "一、报表报送情况", width, _SECTION)
        body = [[f"{s.return_code} {defs.returns[s.return_code].title}", "\n".join(f.rel for f in s.files) or "（无）",
                 s.state, _late(s.working_days_late, s.state), _time(s.received_at), _date(s.due_on) if s.due_on else "",
                 _todo(s)] for s in subs]
        row = write_table(ws, row, ["报表", "收到的文件", "状态", "逾期工作日", "收到时间", "截止日期", "需要做什么"],
                          body, formats=[None, None, None, INTEGER_FORMAT], wrap=(0, 1, 6), center=(2, 3, 4, 5))
    heading = f"{'二' if subs else '一'}、需要更正的内容（共{len(problems)}处）"
    row = _line(ws, row + 1, heading, width, _SECTION)
    if problems:
        body = [[f"{p.return_code} {defs.returns[p.return_code].title}" if p.return_code in defs.returns else "未识别",
                 p.path, p.sheet or "", p.row_number, p.unit, p.key, p.problem] for p in problems]
        row = write_table(ws, row, ["报表", "文件", "工作表", "行号", reminder.unit_name, "关键字段", "问题说明"], body,
                          formats=[None, None, None, INTEGER_FORMAT], wrap=(0, 1, 2, 4, 5, 6), center=(3,))
    else:
        row = _line(ws, row, "无。", width)
    _line(ws, row + 1, "请按上表更正后重新报送完整的报表文件（保留原文件名以替换原文件）；逾期工作日按国家法定节假日和调休安排计算。",
          width)
    set_widths(ws, WIDTHS)
    fit_rows(ws, WIDTHS)
    setup_page(ws, "1:3")


def write_reminder(reminder: Reminder, path: Path) -> Path:
    wb = Workbook()
    _summary(wb.active, reminder)
    for code in reminder.departments:
        name = reminder.defs.departments[code].name if code in reminder.defs.departments else UNASSIGNED
        _department(wb.create_sheet(name[:31]), reminder, code)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def remind(raw_dir: Path, out_dir: Path, period: Period, combine: Combine, departments_file: Path | None = None,
           reference_dir: Path | None = None) -> tuple[Path, Reminder]:
    """Write data/out/<period>/remind-<period>.xlsx; returns its path and what it says. `reference_dir`
    is the reference set (--reference DIR), default the shipped one."""
    reminder = build_reminder(raw_dir, out_dir, period, combine, departments_file, reference_dir=reference_dir)
    target = Path(out_dir) / str(period) / f"remind-{period}.xlsx"
    with atomic_path(target) as tmp:
        write_reminder(reminder, tmp)
    return target, reminder


def remind_command(raw_dir: Path, out_dir: Path, period: Period, combine: Combine,
                   departments_file: Path | None = None, reference_dir: Path | None = None) -> int:
    """Write the 催报单; exit 1 when some department has something missing or rejected, else 0."""
    target, reminder = remind(raw_dir, out_dir, period, combine, departments_file, reference_dir)
    print(target)
    for dept in reminder.departments:
        subs, problems = reminder.of(dept)
        owed = [f"{s.return_code}{s.state}" for s in subs if s.state in OUTSTANDING]
        name = reminder.defs.departments[dept].name if dept in reminder.defs.departments else dept
        sys.stderr.write(f"  {name}：{'、'.join(owed) or '有文件需更正'}，需更正 {len(problems)} 处\n")
    if not reminder.departments:
        sys.stderr.write(f"  {period} 各部门报表均已入库，无需催报\n")
    return 1 if reminder.departments else 0
