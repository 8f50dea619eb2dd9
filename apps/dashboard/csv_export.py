"""CSV downloads that are safe to open in a spreadsheet and never held whole in memory.

Spreadsheets (Excel, LibreOffice, Google Sheets) run a cell that starts with a
formula character as a formula, so a business named `=HYPERLINK(...)` would
become a link in the admin's spreadsheet. Every cell goes through
`spreadsheet_safe`, which prefixes such a cell with `'` (OWASP's "CSV
Injection" advice; ASVS 1.2.10 adds NUL). Quoting is the csv module's (RFC 4180).
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, StreamingHttpResponse

# A cell starting with one of these is read as a formula (OWASP: = + - @ tab CR; ASVS: NUL).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
ROWS_PER_CHUNK = 500  # rows written per chunk sent: few thread hops, little memory


def spreadsheet_safe(value: Any) -> str:
    """The cell's text, prefixed with `'` when a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """A file-like object whose write() hands back the line the csv writer wrote."""

    def write(self, line: str) -> str:
        return line


def csv_chunks(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The CSV text of `header` and `rows`, every cell made safe, in chunks of rows."""
    writer = csv.writer(_Line())
    yield writer.writerow([spreadsheet_safe(cell) for cell in header])
    chunk: list[str] = []
    for row in rows:
        chunk.append(writer.writerow([spreadsheet_safe(cell) for cell in row]))
        if len(chunk) == ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


async def _served_asynchronously(chunks: Iterator[str]) -> AsyncIterator[str]:
    """Each chunk made on the request's own thread (its database connection), one at a time.

    Under ASGI, Django reads a synchronous iterator into a list before sending a
    byte (StreamingHttpResponse.__aiter__); this keeps the download streaming.
    """
    take = sync_to_async(next, thread_sensitive=True)
    while (chunk := await take(chunks, None)) is not None:
        yield chunk


def csv_download(
    request: HttpRequest, filename: str, header: Iterable[str], rows: Iterable[Iterable[Any]]
) -> StreamingHttpResponse:
    """A streamed `text/csv` attachment named `filename`."""
    chunks = csv_chunks(header, rows)
    served_by_asgi = getattr(request, "scope", None) is not None  # an ASGIRequest (or DRF's)
    content = _served_asynchronously(chunks) if served_by_asgi else chunks
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # the audit log is not for shared caches
    return response
