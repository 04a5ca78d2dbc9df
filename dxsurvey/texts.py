"""The ONE catalogue of user-facing strings (report text, table headers, CLI messages).

Every entry maps a key to its text per language: ``{"ja": ..., "en": ...}``.
Placeholders use :meth:`str.format` syntax and must be the same in every language
(``tests/test_pipeline.py`` checks this).  Notebooks reach the catalogue through
``ctx.t(key, **fmt)`` / ``ctx.md(key, **fmt)``; code through :func:`text`.

Key prefixes
------------
``col.<column>``
    Column headers shown in reports and ``tables.xlsx`` (:func:`column_label`).
``report.*``
    Table/figure captions and notes written by :class:`dxsurvey.report.Context`.
``index.*``
    The run's ``index.html``.
``cli.*``
    Messages of the ``dxsurvey`` command.
Notebook text uses the notebook's stem as prefix (``10_course_report.intro``).

Add keys with small edits; keep each entry on its own lines.
"""
from __future__ import annotations

import string

__all__ = ["LANGUAGES", "TEXTS", "text", "column_label", "placeholders"]

#: Languages every entry provides.
LANGUAGES = ("ja", "en")

TEXTS: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ report.Context
    "report.table_label": {"ja": "表{number}", "en": "Table {number}"},
    "report.figure_label": {"ja": "図{number}", "en": "Figure {number}"},
    "report.caption_sep": {"ja": "　", "en": ". "},
    "report.empty_table": {"ja": "（該当するデータがありません）", "en": "(no data)"},

    # ------------------------------------------------------------------ column headers
    "col.course_id": {"ja": "研修ID", "en": "Course ID"},
    "col.title": {"ja": "研修名", "en": "Title"},
    "col.fiscal_year": {"ja": "年度", "en": "Fiscal year"},
    "col.date": {"ja": "実施日", "en": "Date"},
    "col.instructor": {"ja": "講師", "en": "Instructor"},
    "col.instructor_type": {"ja": "講師区分", "en": "Instructor type"},
    "col.format": {"ja": "形式", "en": "Format"},
    "col.style": {"ja": "研修スタイル", "en": "Style"},
    "col.hours": {"ja": "時間", "en": "Hours"},
    "col.invited": {"ja": "対象者数", "en": "Invited"},
    "col.wave": {"ja": "調査時点", "en": "Wave"},
    "col.wave_a": {"ja": "時点A", "en": "Wave A"},
    "col.wave_b": {"ja": "時点B", "en": "Wave B"},
    "col.audience": {"ja": "対象", "en": "Audience"},
    "col.item_id": {"ja": "項目", "en": "Item"},
    "col.item": {"ja": "項目", "en": "Item"},
    "col.construct": {"ja": "構成概念", "en": "Construct"},
    "col.label": {"ja": "内容", "en": "Label"},
    "col.level": {"ja": "評価レベル", "en": "Level"},
    "col.n": {"ja": "人数", "en": "n"},
    "col.n_a": {"ja": "人数(A)", "en": "n (A)"},
    "col.n_b": {"ja": "人数(B)", "en": "n (B)"},
    "col.mean": {"ja": "平均", "en": "Mean"},
    "col.mean_a": {"ja": "平均(A)", "en": "Mean (A)"},
    "col.mean_b": {"ja": "平均(B)", "en": "Mean (B)"},
    "col.sd": {"ja": "標準偏差", "en": "SD"},
    "col.median": {"ja": "中央値", "en": "Median"},
    "col.top2": {"ja": "肯定率", "en": "Top-2 share"},
    "col.diff": {"ja": "差", "en": "Difference"},
    "col.ci_low": {"ja": "95%CI下限", "en": "95% CI low"},
    "col.ci_high": {"ja": "95%CI上限", "en": "95% CI high"},
    "col.effect": {"ja": "効果量", "en": "Effect size"},
    "col.statistic": {"ja": "検定統計量", "en": "Statistic"},
    "col.p_val": {"ja": "p値", "en": "p"},
    "col.p_adj": {"ja": "調整済みp値", "en": "Adjusted p"},
    "col.design": {"ja": "分析の種類", "en": "Design"},
    "col.source_file": {"ja": "ファイル", "en": "File"},
    "col.column": {"ja": "列", "en": "Column"},
    "col.value": {"ja": "値", "en": "Value"},
    "col.problem": {"ja": "問題", "en": "Problem"},
    "col.action": {"ja": "処理", "en": "Action"},
    "col.message": {"ja": "説明", "en": "Message"},
    "col.rows": {"ja": "行数", "en": "Rows"},
    "col.kept": {"ja": "採用", "en": "Kept"},
    "col.matched": {"ja": "照合数", "en": "Matched"},
    "col.share": {"ja": "割合", "en": "Share"},
    "col.count": {"ja": "件数", "en": "Count"},

    # ------------------------------------------------------------------ index.html
    "index.title": {"ja": "研修評価レポート一覧", "en": "Training evaluation reports"},
    "index.survey": {"ja": "調査", "en": "Survey"},
    "index.reports": {"ja": "レポート", "en": "Reports"},
    "index.report": {"ja": "レポート", "en": "Report"},
    "index.status": {"ja": "状態", "en": "Status"},
    "index.ok": {"ja": "成功", "en": "OK"},
    "index.failed": {"ja": "失敗", "en": "Failed"},
    "index.notebook": {"ja": "実行済みノートブック", "en": "Executed notebook"},
    "index.seconds": {"ja": "所要時間（秒）", "en": "Time (s)"},
    "index.error": {"ja": "エラー", "en": "Error"},
    "index.downloads": {"ja": "ダウンロード", "en": "Downloads"},
    "index.xlsx": {"ja": "集計表（Excel）", "en": "Tables (Excel)"},
    "index.tables": {"ja": "集計表（CSV）", "en": "Tables (CSV)"},
    "index.parameters": {"ja": "パラメータ", "en": "Parameters"},
    "index.inputs": {"ja": "入力ファイル（SHA-256）", "en": "Input files (SHA-256)"},
    "index.file": {"ja": "ファイル", "en": "File"},
    "index.size": {"ja": "サイズ（バイト）", "en": "Size (bytes)"},
    "index.versions": {"ja": "ソフトウェアのバージョン", "en": "Software versions"},
    "index.package": {"ja": "パッケージ", "en": "Package"},
    "index.version": {"ja": "バージョン", "en": "Version"},
    "index.run": {"ja": "実行情報", "en": "Run"},
    "index.started": {"ja": "実行開始", "en": "Started"},
    "index.duration": {"ja": "所要時間", "en": "Duration"},
    "index.duration_value": {"ja": "{seconds:.1f} 秒", "en": "{seconds:.1f} s"},
    "index.command": {"ja": "再実行コマンド", "en": "Command to re-run"},
    "index.audit": {"ja": "個人情報チェック", "en": "Privacy audit"},
    "index.audit_clean": {"ja": "問題は見つかりませんでした。", "en": "No findings."},
    "index.audit_findings": {
        "ja": "{n} 件の問題が見つかりました。配布前に確認してください。",
        "en": "{n} findings. Review them before sharing these reports.",
    },
    "index.failed_summary": {
        "ja": "{n} 件のレポートが失敗しました。",
        "en": "{n} reports failed.",
    },
    "index.name": {"ja": "名前", "en": "Name"},
    "index.value": {"ja": "値", "en": "Value"},

    # ------------------------------------------------------------------ CLI
    "cli.description": {
        "ja": "研修アンケートの集計・分析レポートを作成します。",
        "en": "Evaluate trainings from questionnaire exports and build reports.",
    },
    "cli.run_exists": {
        "ja": "出力フォルダ {path} は既にあります。上書きするには --force を付けてください。",
        "en": "The run folder {path} already exists. Add --force to overwrite it.",
    },
    "cli.study_missing": {
        "ja": "調査フォルダ {path} に survey.yaml がありません。--study で調査フォルダを指定してください。",
        "en": "No survey.yaml in {path}. Give the study folder with --study.",
    },
    "cli.demo_missing": {
        "ja": "デモ用の調査フォルダ（data/demo）が見つかりません。リポジトリを取得した場所から実行してください。",
        "en": "The demo study (data/demo) was not found. Run from a checkout of the repository.",
    },
    "cli.bad_input": {"ja": "入力エラー: {message}", "en": "Input error: {message}"},
    "cli.running": {
        "ja": "{n} 件のレポートを作成します（並列数 {jobs}）…",
        "en": "Building {n} reports ({jobs} in parallel)…",
    },
    "cli.done": {"ja": "完了しました（{seconds:.1f} 秒）: {index}", "en": "Done ({seconds:.1f} s): {index}"},
    "cli.report_failed": {
        "ja": "レポート {name} の作成に失敗しました: {error}",
        "en": "Report {name} failed: {error}",
    },
    "cli.some_failed": {
        "ja": "{n} 件のレポートが失敗しました。詳細は {index} を開いてください。",
        "en": "{n} reports failed. Open {index} for details.",
    },
    "cli.audit_clean": {"ja": "個人情報チェック: 問題なし（{path}）", "en": "Privacy audit: clean ({path})"},
    "cli.audit_findings": {
        "ja": "個人情報チェック: {n} 件の問題があります（{path}）",
        "en": "Privacy audit: {n} findings ({path})",
    },
    "cli.no_run_record": {
        "ja": "{path} に run.json がありません。dxsurvey run が作った出力フォルダを指定してください。",
        "en": "No run.json in {path}. Give a run folder made by dxsurvey run.",
    },
    "cli.ingest_done": {
        "ja": "{n} 個の表を {path} に書き出しました。",
        "en": "Wrote {n} tables to {path}.",
    },
    "cli.init_done": {
        "ja": "調査フォルダのひな形を {path} に作成しました。survey.yaml と courses.csv を編集してください。",
        "en": "Created a template study in {path}. Edit survey.yaml and courses.csv.",
    },
    "cli.validation_errors": {
        "ja": "エラーが {n} 件あります。",
        "en": "There are {n} errors.",
    },
    "cli.interrupted": {
        "ja": "中断しました。途中の出力 {path} は完成したレポートではありません。",
        "en": "Interrupted. The partial output {path} is not a finished run.",
    },
}


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}; got {language!r}")
    return language


def text(key: str, language: str = "ja", /, **fmt) -> str:
    """The catalogue text of ``key`` in ``language``, formatted with ``fmt``.

    Parameters
    ----------
    key : str
        A key of :data:`TEXTS`.
    language : {"ja", "en"}
    **fmt
        Values of the text's ``{placeholders}``.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        For an unknown key (the message lists close keys).
    ValueError
        For a language other than ``ja`` / ``en``.

    Examples
    --------
    >>> text("report.table_label", "ja", number=2)
    '表2'
    >>> text("report.table_label", "en", number=2)
    'Table 2'
    """
    _check_language(language)
    try:
        entry = TEXTS[key]
    except KeyError:
        import difflib
        close = difflib.get_close_matches(key, TEXTS, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise KeyError(f"unknown text key {key!r}{hint}") from None
    template = entry[language]
    return template.format(**fmt) if fmt else template


def column_label(column: str, language: str = "ja") -> str:
    """The header shown for a table column: ``col.<column>`` from the catalogue, else the name.

    Examples
    --------
    >>> column_label("n", "ja")
    '人数'
    >>> column_label("something_new", "ja")
    'something_new'
    """
    _check_language(language)
    entry = TEXTS.get(f"col.{column}")
    return entry[language] if entry else str(column)


def placeholders(template: str) -> set[str]:
    """Names of the ``{placeholders}`` in a template.

    Examples
    --------
    >>> sorted(placeholders("{n} 件 ({seconds:.1f} 秒)"))
    ['n', 'seconds']
    """
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
