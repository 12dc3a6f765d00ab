"""What a refused file is told: the one way to refuse (reject) and the guard's fixed Chinese
messages. A message that carries a check's own figures is written beside the check."""

from __future__ import annotations

import re
from typing import NoReturn

from sbsk.intake.errors import FileRejected
from sbsk.intake.guard.limits import size_text


def reject(message: str) -> NoReturn:
    raise FileRejected(message)


def too_big(size: int, limit: int) -> str:
    return (f"文件大小为{size_text(size)}，超过上限{size_text(limit)}；"
            f"报表通常只有几十KB，请删除多余的图片或工作表后重新报送")


# Files a clerk may send instead of a return: reported with what to do, never silently ignored.
LOOKALIKES = {
    ".et": "文件是WPS表格格式（.et），请在WPS中“另存为”Excel工作簿（.xlsx）后重新报送",
    ".ett": "文件是WPS表格模板（.ett），请在WPS中“另存为”Excel工作簿（.xlsx）后重新报送",
    ".xlsb": "文件是Excel二进制工作簿（.xlsb），请在Excel中“另存为”Excel工作簿（.xlsx）后重新报送",
    ".ods": "文件是OpenDocument表格（.ods），请“另存为”Excel工作簿（.xlsx）后重新报送",
    ".csv": "文件是CSV文本，不是Excel工作簿，请在Excel中打开后“另存为”Excel工作簿（.xlsx）再报送",
    ".numbers": "文件是Numbers表格，请导出为Excel工作簿（.xlsx）后重新报送",
}

ENCRYPTED = "文件已加密，请去除密码后重新报送"
TRUNCATED = "文件不完整或已损坏（可能在下载或拷贝时被截断），请重新导出后报送"
BROKEN = "文件已损坏，无法解析，请在Excel中打开并“另存为”Excel工作簿（.xlsx）后重新报送"
EMPTY_FILE = "文件是空的（0字节），请重新报送"
EMPTY_BOOK = "工作簿是空的，没有任何数据，请填写后重新报送"
PDF = "文件实际是PDF文档，不是Excel工作簿，请报送Excel原文件（.xlsx）"
TEXT = "文件实际是文本文件（如CSV或TXT），不是Excel工作簿，请在Excel中打开后“另存为”Excel工作簿（.xlsx）再报送"
HTML = ("文件实际是网页（HTML）格式，不是真正的Excel工作簿（常见于从网上系统导出的表格），"
        "请在Excel中打开后“另存为”Excel工作簿（.xlsx）再报送")
XML2003 = "文件是Excel 2003 XML表格格式，请在Excel中打开后“另存为”Excel工作簿（.xlsx）再报送"
UNKNOWN = "无法识别的文件格式，不是Excel工作簿，请报送.xlsx文件"
OLE_NOT_BOOK = "文件是Office复合文档，但不含Excel工作簿（可能是Word .doc文档），请报送.xlsx文件"
NOT_BOOK = "压缩包中没有Excel工作簿，文件可能是Word、PowerPoint文档或普通压缩包，请报送Excel工作簿（.xlsx）"
OTHER_OFFICE = {  # the folder the package's main part lies in says which Office document it is
    "word": "文件实际是Word文档（.docx），不是Excel工作簿，请报送Excel工作簿（.xlsx）",
    "ppt": "文件实际是PowerPoint演示文稿（.pptx），不是Excel工作簿，请报送Excel工作簿（.xlsx）",
}
DAMAGED_PART = ("文件已损坏：部件 {part} 的内容与压缩包记录的校验值（CRC）或大小不符（这是传输或存储造成的损坏，"
                "不是恶意文件），请从原始文件重新导出或重新拷贝后报送")
OLD_FORMAT_NAMED_NEW = ("文件扩展名是{ext}，但内容是旧版Excel 97-2003（.xls）或WPS表格（.et）格式，"
                        "请在Excel或WPS中“另存为”Excel工作簿（.xlsx）后重新报送")
NEW_FORMAT_NAMED_OLD = "文件扩展名是{ext}，但内容是.xlsx格式，请把扩展名改为.xlsx后重新报送"
OUTSIDE_LINK = "文件是指向报送目录之外的链接（符号链接），已拒绝读取"
ODD_NAME = "文件名含有控制字符或不可见字符（如换行、文字方向控制符），请重命名后重新报送"



_MACRO_SHEET = re.compile(r"Unrecognized sheet:?\s*type:?\s*(\S*macrosheets?\S*)", re.IGNORECASE)
_PASSWORD = re.compile(r"password|encrypt", re.IGNORECASE)


def parse_failure(detail: str, kind: str, biff: int | None = None) -> str:
    """What a parser's refusal means to a clerk, without the parser's words or an exception's name.
    The parser has met something no Excel writes (a damaged or a hand-made file): the file cannot be
    read as it is, and saving it again from Excel or WPS writes it afresh."""
    macro = _MACRO_SHEET.search(detail)
    if macro:
        return (f"工作簿含有Excel 4.0宏表（{macro.group(1)}），本系统无法读取；请删除宏表（或把数据复制到新工作簿），"
                f"“另存为”Excel工作簿（.xlsx）后重新报送")
    if _PASSWORD.search(detail):
        return ENCRYPTED
    what = {5: "Excel 5.0/95工作簿", 8: "Excel 97-2003工作簿（.xls）"}.get(biff or 0, "Excel工作簿") \
        if kind == "xls" else "Excel工作簿（.xlsx）"
    return (f"文件虽是{what}，但内部结构有误，无法解析（文件可能已损坏，或由不规范的软件导出）；"
            f"请在Excel或WPS中打开，确认内容无误后“另存为”Excel工作簿（.xlsx）再报送")
