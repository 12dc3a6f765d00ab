"""What a refused file is told: the one way to refuse (reject) and the guard's fixed Chinese
messages. A message that carries a check's own figures is written beside the check."""

from __future__ import annotations

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
NOT_BOOK = "压缩包中没有Excel工作簿（xl/workbook.xml），文件可能是Word、PowerPoint文档或普通压缩包，请报送.xlsx文件"
OLD_FORMAT_NAMED_NEW = ("文件扩展名是{ext}，但内容是旧版Excel 97-2003（.xls）或WPS表格（.et）格式，"
                        "请在Excel或WPS中“另存为”Excel工作簿（.xlsx）后重新报送")
NEW_FORMAT_NAMED_OLD = "文件扩展名是{ext}，但内容是.xlsx格式，请把扩展名改为.xlsx后重新报送"
OUTSIDE_LINK = "文件是指向报送目录之外的链接（符号链接），已拒绝读取"
ODD_NAME = "文件名含有控制字符或不可见字符（如换行、文字方向控制符），请重命名后重新报送"

