"""Write raw export files shaped like the real ones (FORMATS.md), for tests.

Every writer produces real bytes: UTF-8 with or without BOM, CP932, CRLF line
ends, quoted line breaks, openpyxl workbooks with merged cells and date-time
cells.  Other test modules may import these helpers::

    from fixtures_readers import write_google_csv  # tests/ is on sys.path under pytest
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

#: Microsoft Forms system headers, Japanese and English UI.
MS_SYSTEM_JA = ["ID", "開始時刻", "完了時刻", "メール", "名前", "最終変更時刻"]
MS_SYSTEM_EN = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]

GOOGLE_VARIANTS = ("download", "sheet")


def google_timestamp(value: dt.datetime, variant: str = "download") -> str:
    """Format a time as a Google Forms CSV writes it.

    ``download`` (the form's own CSV): ``2026/06/13 2:12:54 午後 GMT+9``;
    ``sheet`` (the linked sheet's CSV): ``2024/10/11 8:55:06``.
    """
    if variant == "download":
        half = "午後" if value.hour >= 12 else "午前"
        hour = value.hour % 12 or 12
        return f"{value:%Y/%m/%d} {hour}:{value:%M:%S} {half} GMT+9"
    if variant == "sheet":
        return f"{value:%Y/%m/%d} {value.hour}:{value:%M:%S}"
    raise ValueError(f"variant must be one of {GOOGLE_VARIANTS}, not {variant!r}")


def _csv_bytes(rows: Sequence[Sequence[Any]], *, quoting: int, newline: str,
               encoding: str, bom: bool = False) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=quoting, lineterminator=newline)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def write_google_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]],
                     variant: str = "download", newline: str | None = None) -> Path:
    """Write a Google Forms responses CSV (UTF-8, no BOM).

    Parameters
    ----------
    path : Path
    headers : sequence of str
        Header texts, ``タイムスタンプ`` first; may contain line breaks.
    rows : sequence of sequences
        Cells; a ``datetime`` is written in the variant's timestamp format,
        ``None`` as an empty cell.
    variant : {"download", "sheet"}
        ``download`` quotes every field and writes 午前/午後 + GMT+9;
        ``sheet`` quotes only when needed and writes 24-hour times.
    newline : str, optional
        Record terminator; default CRLF for ``download``, LF for ``sheet``.
    """
    if variant not in GOOGLE_VARIANTS:
        raise ValueError(f"variant must be one of {GOOGLE_VARIANTS}, not {variant!r}")
    cooked = [[google_timestamp(c, variant) if isinstance(c, dt.datetime) else c for c in row]
              for row in rows]
    quoting = csv.QUOTE_ALL if variant == "download" else csv.QUOTE_MINIMAL
    if newline is None:
        newline = "\r\n" if variant == "download" else "\n"
    path.write_bytes(_csv_bytes([list(headers), *cooked], quoting=quoting, newline=newline,
                                encoding="utf-8"))
    return path


def write_logo_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]],
                   encoding: str = "cp932", quoting: int = csv.QUOTE_ALL) -> Path:
    """Write a LoGoフォーム-style CSV: CP932, CRLF, quoted cells with line breaks.

    A ``datetime`` cell is written ``2024/10/11 08:55:06``.
    """
    cooked = [[f"{c:%Y/%m/%d %H:%M:%S}" if isinstance(c, dt.datetime) else c for c in row]
              for row in rows]
    path.write_bytes(_csv_bytes([list(headers), *cooked], quoting=quoting, newline="\r\n",
                                encoding=encoding))
    return path


def write_plain_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]], *,
                    encoding: str = "utf-8", bom: bool = False, newline: str = "\r\n") -> Path:
    """Write a plain CSV (quote only when needed), e.g. Excel's 'CSV UTF-8' with BOM."""
    path.write_bytes(_csv_bytes([list(headers), *rows], quoting=csv.QUOTE_MINIMAL,
                                newline=newline, encoding=encoding, bom=bom))
    return path


def write_ms_forms_xlsx(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]],
                        sheet_title: str = "Sheet1") -> Path:
    """Write a Microsoft Forms "Excel で開く" workbook.

    ``datetime`` cells become real Excel date-time cells (``yyyy/m/d h:mm:ss``),
    numbers stay numbers, text as given (headers may hold newlines, U+3000, U+00A0).
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy/m/d h:mm:ss"
    workbook.save(path)
    return path


def write_paper_xlsx(path: Path, *, title: str, legend: Sequence[str],
                     header: Sequence[str | tuple[str, Sequence[str]]],
                     rows: Sequence[Sequence[Any]], footer: Sequence[Any] | None = ("回収数", "12枚"),
                     sheet_title: str = "事後", blank_sheet: str | None = "Sheet2",
                     blank_rows_after: Sequence[int] = ()) -> dict[str, Any]:
    """Write paper questionnaires typed into Excel.

    Layout: row 1 the title, then one row per legend line, then a two-row header
    (a plain column is merged vertically over both rows; a group ``(top, [subs])``
    has ``top`` merged across its sub-columns), the data rows (a blank row after
    the data rows whose 0-based positions are in ``blank_rows_after``), a blank
    row and the footer.  A second, blank worksheet is added when ``blank_sheet``.

    Returns
    -------
    dict
        ``header_rows`` (the two Excel header rows), ``data_rows`` (the Excel row
        of each data row), ``footer_row``, ``sheet``.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.cell(1, 1, title)
    row = 2
    for line in legend:
        sheet.cell(row, 1, line)
        row += 1
    top, bottom = row, row + 1
    col = 1
    for entry in header:
        if isinstance(entry, str):
            sheet.cell(top, col, entry)
            sheet.merge_cells(start_row=top, end_row=bottom, start_column=col, end_column=col)
            col += 1
        else:
            label, subs = entry
            sheet.cell(top, col, label)
            if len(subs) > 1:
                sheet.merge_cells(start_row=top, end_row=top, start_column=col,
                                  end_column=col + len(subs) - 1)
            for offset, sub in enumerate(subs):
                sheet.cell(bottom, col + offset, sub)
            col += len(subs)
    row = bottom + 1
    data_rows = []
    for index, values in enumerate(rows):
        for offset, value in enumerate(values):
            if value is not None:
                sheet.cell(row, offset + 1, value)
        data_rows.append(row)
        row += 1
        if index in blank_rows_after:
            row += 1
    footer_row = None
    if footer is not None:
        row += 1
        footer_row = row
        for offset, value in enumerate(footer):
            sheet.cell(row, offset + 1, value)
    for index in range(1, col):
        sheet.column_dimensions[get_column_letter(index)].width = 14
    if blank_sheet:
        workbook.create_sheet(blank_sheet)
    workbook.save(path)
    return {"header_rows": [top, bottom], "data_rows": data_rows, "footer_row": footer_row,
            "sheet": sheet_title}


def write_xlsx_without_sheets(path: Path) -> Path:
    """Write a zip-valid workbook whose ``<sheets>`` list is empty."""
    plain = path.with_suffix(".tmp.xlsx")
    openpyxl.Workbook().save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", data, flags=re.S)
            target.writestr(item, data)
    plain.unlink()
    return path


def write_truncated_xlsx(path: Path) -> Path:
    """Write the first half of a valid workbook (an interrupted download)."""
    whole = path.with_suffix(".tmp.xlsx")
    workbook = openpyxl.Workbook()
    workbook.active.append(["ID", "開始時刻"])
    workbook.save(whole)
    data = whole.read_bytes()
    whole.unlink()
    path.write_bytes(data[: len(data) // 2])
    return path
