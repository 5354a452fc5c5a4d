"""The application's request class: file parts capped when a page with a file box asks for it.

See ``app.web.uploads`` for why: a too-large file must not cost the typed text.
"""

from __future__ import annotations

from tempfile import SpooledTemporaryFile
from typing import IO, Any

from flask import Request

#: File parts up to this size stay in memory, as Werkzeug's own default does.
_IN_MEMORY = 500 * 1024


class CappedSpool(SpooledTemporaryFile):
    """Where Werkzeug writes a file part: the first ``keep`` bytes are kept, the rest only counted."""

    def __init__(self, keep: int) -> None:
        super().__init__(max_size=_IN_MEMORY, mode="w+b")
        self.keep = keep
        #: Bytes the client sent for this part, kept or not.
        self.received = 0

    def write(self, data: Any) -> int:  # type: ignore[override]
        room = self.keep - self.received
        self.received += len(data)
        if room > 0:
            super().write(bytes(data[:room]))
        return len(data)


class AppRequest(Request):
    """The request of every page: file parts capped when a view asked for it (``guards.form_limits``)."""

    #: Keep at most this many bytes of each file part (None: Werkzeug's usual spooling).
    file_part_limit: int | None = None

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None, content_length: int | None = None) -> IO[bytes]:
        if self.file_part_limit is None:
            return super()._get_file_stream(total_content_length, content_type, filename, content_length)
        return CappedSpool(self.file_part_limit)  # type: ignore[return-value]
