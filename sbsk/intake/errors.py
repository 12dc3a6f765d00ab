"""The one exception a file's verdict travels in; light enough for the sandboxed child to import."""

from __future__ import annotations


class FileRejected(Exception):
    """The whole file cannot be taken; the message is in Chinese and says why."""

    def __init__(self, message: str, return_code: str | None = None, sheet: str | None = None):
        super().__init__(message)
        self.message = message
        self.return_code = return_code
        self.sheet = sheet
