"""Regenerate the committed bad-input corpus (run by hand: ``python make_corpus.py``).

Each file is one kind of bad input; ``cases.yaml`` says how it is declared in a
study's ``sources:`` and what dxsurvey must report.  The files are committed so
that their bytes are fixed; this script documents how they were made.
"""
from __future__ import annotations

import codecs
import random
import sys
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent

#: The header every CSV case shares (the items of the test codebook, cases.yaml).
HEADER = ["回答者コード", "役職", "DXの必要性を理解している", "DXは自分の仕事とは関係ない", "ご意見・ご感想"]


def _csv(rows: list[list[str]], encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    return "".join(",".join(row) + newline for row in rows).encode(encoding)


def make(out: Path = HERE) -> None:
    """Write every corpus file into ``out``."""
    sys.path.insert(0, str(HERE.parent))
    from fixtures_readers import write_truncated_xlsx, write_xlsx_without_sheets

    files: dict[str, bytes] = {
        "empty.csv": b"",
        "header_only.csv": _csv([HEADER]),
        # LoGoフォーム-style CP932 bytes, declared utf-8 in survey.yaml
        "cp932_declared_utf8.csv": _csv([HEADER, ["0201", "主事", "そう思う", "そう思わない", "髙橋さん①"]],
                                        encoding="cp932"),
        # UTF-8 bytes, declared cp932
        "utf8_declared_cp932.csv": _csv([HEADER, ["0202", "主事", "そう思う", "そう思わない", "役立った"]]),
        "junk.csv": b"\x89PNG\r\n\x1a\n" + random.Random(5).randbytes(2000),
        # line 3: unknown label; line 4: a label of another scale in column q2
        "unknown_labels.csv": _csv([HEADER,
                                    ["0211", "主事", "そう思う", "そう思わない", ""],
                                    ["0212", "主事", "とても変な回答", "ややそう思う", ""],
                                    ["0213", "課長", "そう思う", "満足", ""]]),
        # line 2: 9 in q1; line 3: 0 in q2 (full-width)
        "out_of_range.csv": _csv([HEADER,
                                  ["0221", "主事", "9", "そう思わない", ""],
                                  ["0222", "課長", "そう思う", "０", ""]]),
        "double_marks.csv": _csv([HEADER,
                                  ["0231", "主事", "2・3", "そう思わない", ""],
                                  ["0232", "課長", "そう思う", "4、5", ""]]),
        # q1's header twice: column C is read, column F becomes "... (2)"
        "duplicate_headers.csv": _csv([HEADER + ["DXの必要性を理解している"],
                                       ["0241", "主事", "そう思う", "そう思わない", "", "そう思わない"]]),
        # q2's column is absent
        "missing_column.csv": _csv([[h for h in HEADER if h != "DXは自分の仕事とは関係ない"],
                                    ["0251", "主事", "そう思う", ""]]),
        # a well-formed file, declared with a course that courses.csv does not list
        "unknown_course.csv": _csv([HEADER, ["0261", "主事", "そう思う", "そう思わない", ""]]),
        # line 3 is the codebook's test code 0000
        "test_submission.csv": _csv([HEADER,
                                     ["0271", "主事", "そう思う", "そう思わない", ""],
                                     ["0000", "主事", "そう思う", "そう思う", "テスト送信"]]),
        # every record below the header is blank: empty cells, then spaces (ASCII and U+3000)
        "all_blank.csv": _csv([HEADER, [""] * 5, ["", " ", "", "", ""], ["\u3000", "", "", "", ""],
                               [""] * 5]),
        # R's write.table: the header has no name for the row names, so every record is one
        # field longer than the header (issue 12: read shifted, the code column got 1, 2)
        "r_style.csv": _csv([HEADER,
                             ["1", "0311", "主事", "そう思う", "そう思わない", ""],
                             ["2", "0312", "課長", "ややそう思う", "どちらともいえない", "よかった"]]),
        # line 3: a field short (the comment); line 4: an unquoted comma in the comment
        "ragged_rows.csv": _csv([HEADER,
                                 ["0321", "主事", "そう思う", "そう思わない", ""],
                                 ["0322", "主事", "そう思う", "そう思わない"],
                                 ["0323", "課長", "ややそう思う", "そう思う", "良い", "研修でした"]]),
        # only short records (the C parser pads them silently): line 3 has 3 of 5 fields
        "ragged_short.csv": _csv([HEADER,
                                  ["0331", "主事", "そう思う", "そう思わない", "よい"],
                                  ["0332", "課長", "ややそう思う"]]),
        # line 2 opens a quote that never closes: the rest of the file was one answer
        "unclosed_quote.csv": _csv([HEADER,
                                    ["0341", "主事", "そう思う", "そう思わない", '"とても良かった'],
                                    ["0342", "課長", "ややそう思う", "どちらともいえない", ""],
                                    ["0343", "主事", "そう思う", "そう思う", "普通"]]),
        # one NUL byte in line 2's comment
        "nul_byte.csv": _csv([HEADER,
                              ["0351", "主事", "そう思う", "そう思わない", "良\x00かった"],
                              ["0352", "課長", "ややそう思う", "どちらともいえない", ""]]),
        # a UTF-8 file with line 4 pasted in from a cp932 file
        "utf8_with_cp932_line.csv": (
            _csv([HEADER,
                  ["0361", "主事", "そう思う", "そう思わない", "良かった"],
                  ["0362", "課長", "ややそう思う", "どちらともいえない", ""]])
            + _csv([["0363", "主事", "あまりそう思わない", "そう思う", "髙い効果①"]], encoding="cp932")
            + _csv([["0364", "課長", "そう思う", "そう思わない", "次回も参加"]])),
        # an editor wrote a UTF-8 byte-order mark before Shift_JIS (cp932) text
        "bom_cp932.csv": codecs.BOM_UTF8 + _csv([HEADER,
                                                 ["0371", "主事", "そう思う", "そう思わない", "①よかった"]],
                                                encoding="cp932"),
        # respondent codes that do not fit `width: 4`: a letter, five digits, Excel's exponent
        # form and a minus sign; line 6 fits
        "bad_codes.csv": _csv([HEADER,
                               ["2886a", "主事", "そう思う", "そう思わない", ""],
                               ["12345", "主事", "そう思う", "そう思わない", ""],
                               ["1e3", "課長", "そう思う", "そう思わない", ""],
                               ["-93", "課長", "そう思う", "そう思わない", ""],
                               ["94", "課長", "そう思う", "そう思わない", ""]]),
    }
    # Excel "Unicode テキスト" (.txt): UTF-16 with BOM, tab-separated; a question lists
    # tools with ", " so the header line holds as many commas as tabs
    tools = "使ったことがあるツール（Excel, RPA, 生成AI, kintone, LoGoフォーム, その他）"
    files["excel_unicode_text.txt"] = "".join(
        "\t".join(row) + "\r\n" for row in [HEADER + [tools],
                                              ["0301", "課長", "そう思う", "そう思わない", "", "RPA, 生成AI"]]
    ).encode("utf-16")
    for name, data in files.items():
        (out / name).write_bytes(data)

    write_xlsx_without_sheets(out / "nosheet.xlsx")
    write_truncated_xlsx(out / "truncated.xlsx")

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "事後"
    sheet.append(HEADER)
    sheet.append(["0281", "主事", "そう思う", "そう思わない", None])
    workbook.save(out / "sheet_missing.xlsx")

    # paper form typed into Excel: title row, legend, header in row 3,
    # Excel numbers and full-width digits; row 5 has 7 (out of range), row 6 "2・3"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "事後"
    sheet.append(["DX研修 事後アンケート（紙）"])
    sheet.append(["1=そう思わない … 5=そう思う"])
    sheet.append(HEADER)
    sheet.append([291, "主事", 4, "２", None])
    sheet.append([292, "課長", 7, 1, None])
    sheet.append([293, "主事", "2・3", 5, "紙で回答"])
    sheet.append([None] * 5)
    sheet.append(["回収数", "3枚"])
    workbook.save(out / "paper_dirty.xlsx")

    # a workbook written by a script: the q2 cell of row 3 is a formula without a saved
    # value (Excel would store its result), so it reads as empty
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "事後"
    sheet.append(HEADER)
    sheet.append(["0381", "主事", "そう思う", "そう思わない", None])
    sheet.append(["0382", "課長", "そう思う", '=IF(A3="0382","ややそう思う","")', None])
    workbook.save(out / "formula_no_value.xlsx")


if __name__ == "__main__":
    make()
