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
    Table/figure captions and notes written by :class:`dxsurvey.reports.Context`.
``index.*``
    The run's ``index.html``.
``cli.*``
    Messages of the ``dxsurvey`` command.
Notebook text uses the notebook's stem as prefix (``10_course_report.intro``).

Add keys with small edits; keep each entry on its own lines.
"""
from __future__ import annotations

import string

__all__ = ["LANGUAGES", "TEXTS", "text", "column_label", "placeholders", "check_language"]

#: Languages every entry provides.
LANGUAGES = ("ja", "en")

TEXTS: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ reports.Context
    "report.table_label": {"ja": "表{number}", "en": "Table {number}"},
    "report.figure_label": {"ja": "図{number}", "en": "Figure {number}"},
    "report.caption_sep": {"ja": "　", "en": ". "},
    "report.empty_table": {"ja": "（該当するデータがありません）", "en": "(no data)"},
    "report.suppressed_footnote": {
        "ja": "—: 回答者が{min_cell}人未満のため非表示（個人が特定されないよう秘匿）",
        "en": "—: hidden, fewer than {min_cell} respondents",
    },

    # ------------------------------------------------------------------ deliverables (tables.xlsx, index, PDF)
    "xlsx.contents": {"ja": "目次", "en": "Contents"},
    "xlsx.sheet": {"ja": "シート", "en": "Sheet"},
    "xlsx.report": {"ja": "レポート", "en": "Report"},
    "xlsx.table": {"ja": "表番号", "en": "Table"},
    "xlsx.caption": {"ja": "表題", "en": "Caption"},
    "xlsx.csv": {"ja": "CSVファイル", "en": "CSV file"},
    "xlsx.stacked": {"ja": "{caption}（{n}講座分、研修IDごと）", "en": "{caption} ({n} courses, by course ID)"},
    # a sheet holding several short tables of one report, one below the other
    "xlsx.shared": {"ja": "{report}（{n}表）", "en": "{report} ({n} tables)"},
    # a report's tables of one caption for each construct, word, code... stacked on one sheet
    "xlsx.stack.20_comparison.cap_terms": {"ja": "要因の検定（タイプII、構成概念ごと）",
                                           "en": "Type-II tests, per construct"},
    "xlsx.stack.20_comparison.cap_levels": {"ja": "水準ごとの推定値（全モデル、構成概念ごと）",
                                            "en": "Estimates per level (all models), per construct"},
    "xlsx.stack.20_comparison.cap_contrasts": {"ja": "水準間の差（構成概念ごと）",
                                               "en": "Differences between levels, per construct"},
    "xlsx.stack.20_comparison.cap_gain": {"ja": "変化量（事後−事前）による比較（構成概念ごと）",
                                          "en": "Gain-score view (post − pre), per construct"},
    "xlsx.stack.25_free_text.cap_distinctive": {"ja": "特徴語（上位{top}語、集計単位ごと）",
                                                "en": "Distinctive words (top {top}), per grouping"},
    "xlsx.stack.25_free_text.cap_codes": {"ja": "コード（集計単位ごと）", "en": "Codes, per grouping"},
    "xlsx.stack.25_free_text.cap_kwic": {"ja": "KWIC（語ごとに最大{n}行）", "en": "KWIC (up to {n} lines per word)"},
    "xlsx.stack.25_free_text.cap_code_tests": {"ja": "コードごとの検定（χ²検定、集計単位ごと）",
                                                "en": "Test of each code, per grouping (chi-squared)"},
    "xlsx.stack.20_comparison.cap_courses": {"ja": "講座ごとの変化の推定値と95%信頼区間（構成概念ごと）",
                                            "en": "Estimated change per course with 95% CI, per construct"},
    "xlsx.stack.25_free_text.cap_quotes": {"ja": "コードごとの記述例", "en": "Comments per code"},
    "xlsx.stack.25_free_text.cap_collocations": {"ja": "コロケーション（スコア上位{top}語、検索語ごと）",
                                                 "en": "Collocations (top {top} by score), per search word"},

    "index.other_files": {"ja": "その他のファイル", "en": "Other files"},
    "index.reiwa_year": {"ja": "令和{year}年", "en": "Reiwa {year}"},
    "index.reiwa_first": {"ja": "元", "en": "1"},
    "index.western_year": {"ja": "{year}年", "en": "{year}"},
    "index.local_time": {"ja": "{year}{month}月{day}日 {time}（{zone}）", "en": "{year}-{month:02d}-{day:02d} {time} ({zone})"},
    "index.pdf": {"ja": "PDF（A4印刷用）", "en": "PDF (A4)"},
    "index.dl_tables": {"ja": "集計表", "en": "Tables"},
    "index.dl_figures": {"ja": "図", "en": "Figures"},
    "index.dl_number": {"ja": "番号", "en": "No."},
    "index.dl_content": {"ja": "内容", "en": "Content"},
    "index.dl_files": {"ja": "ファイル", "en": "Files"},
    "index.xlsx_note": {"ja": "全レポートの集計表を1冊にまとめたもの（先頭の「目次」シートから各表へ移動できます）",
                        "en": "every report's tables in one workbook (the first sheet, Contents, links to each)"},

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
    "col.chi2": {"ja": "χ²値", "en": "χ²"},
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

    # ------------------------------------------------------------------ narrative: columns
    "col.item_name": {"ja": "項目", "en": "Item"},
    "col.measure_type": {"ja": "種類", "en": "Type"},
    "col.reverse": {"ja": "逆転", "en": "Reversed"},
    "col.n_pairs": {"ja": "ペア数", "en": "Pairs"},
    "col.sd_a": {"ja": "標準偏差(A)", "en": "SD (A)"},
    "col.sd_b": {"ja": "標準偏差(B)", "en": "SD (B)"},
    "col.test": {"ja": "検定", "en": "Test"},
    "col.effect_type": {"ja": "効果量の種類", "en": "Effect type"},
    "col.effect_ci_low": {"ja": "効果量95%CI下限", "en": "Effect 95% CI low"},
    "col.effect_ci_high": {"ja": "効果量95%CI上限", "en": "Effect 95% CI high"},
    "col.caution": {"ja": "注意", "en": "Caution"},
    "col.format_name": {"ja": "形式", "en": "Format"},
    "col.empty_submission": {"ja": "空欄で除外", "en": "Empty (dropped)"},
    "col.duplicate_submission": {"ja": "重複で除外", "en": "Duplicate (dropped)"},
    "col.excluded": {"ja": "除外指定", "en": "Excluded"},
    "col.errors": {"ja": "エラー", "en": "Errors"},
    "col.warnings": {"ja": "警告", "en": "Warnings"},
    "col.row": {"ja": "行", "en": "Row"},
    "col.n_pre": {"ja": "事前回答数", "en": "n (pre)"},
    "col.n_post": {"ja": "事後回答数", "en": "n (post)"},
    "col.rate_pre": {"ja": "事前回答率", "en": "Response rate (pre)"},
    "col.rate_post": {"ja": "事後回答率", "en": "Response rate (post)"},
    "col.only_pre": {"ja": "事前のみ", "en": "Pre only"},
    "col.only_post": {"ja": "事後のみ", "en": "Post only"},
    "col.text": {"ja": "記述（マスク済み）", "en": "Text (masked)"},

    # ------------------------------------------------------------------ narrative: coded values
    "value.wave.pre": {"ja": "事前", "en": "pre"},
    "value.wave.post": {"ja": "事後", "en": "post"},
    "value.wave.followup": {"ja": "追跡", "en": "follow-up"},
    "value.wave.then": {"ja": "振り返り事前", "en": "then-test"},
    "value.audience.manager": {"ja": "管理職", "en": "managers"},
    "value.audience.staff": {"ja": "一般職員", "en": "staff"},
    "value.audience.all": {"ja": "全職員", "en": "all staff"},
    "value.format.in_person": {"ja": "対面", "en": "in person"},
    "value.format.online": {"ja": "オンライン", "en": "online"},
    "value.format.hybrid": {"ja": "ハイブリッド", "en": "hybrid"},
    "value.style.lecture": {"ja": "講義", "en": "lecture"},
    "value.style.workshop": {"ja": "ワークショップ", "en": "workshop"},
    "value.instructor_type.external": {"ja": "外部講師", "en": "external"},
    "value.instructor_type.internal": {"ja": "内部講師", "en": "internal"},
    "value.measure_type.construct": {"ja": "構成概念", "en": "construct"},
    "value.measure_type.item": {"ja": "項目", "en": "item"},
    "value.test.paired_t": {"ja": "対応のあるt検定", "en": "paired t test"},
    "value.test.welch_t": {"ja": "Welchのt検定", "en": "Welch t test"},
    "value.test.wilcoxon": {"ja": "Wilcoxon符号付き順位検定", "en": "Wilcoxon signed-rank"},
    "value.test.mannwhitney": {"ja": "Mann–WhitneyのU検定", "en": "Mann-Whitney U"},
    "value.effect_type.cohen_dz": {"ja": "Cohenのd_z", "en": "Cohen's d_z"},
    "value.effect_type.hedges_g": {"ja": "Hedgesのg", "en": "Hedges' g"},
    "value.effect_type.rank_biserial": {"ja": "順位双列相関r_rb", "en": "rank-biserial r"},
    "value.design.paired": {"ja": "対応あり", "en": "paired"},
    "value.design.independent": {"ja": "対応なし（独立2群）", "en": "independent"},
    "value.factor.instructor": {"ja": "講師", "en": "Instructor"},
    "value.factor.instructor_type": {"ja": "講師区分", "en": "Instructor type"},
    "value.factor.format": {"ja": "形式", "en": "Format"},
    "value.factor.style": {"ja": "研修スタイル", "en": "Style"},
    "value.factor.audience": {"ja": "対象", "en": "Audience"},
    "value.factor.pre": {"ja": "事前得点", "en": "Pre score"},
    "value.factor.wave": {"ja": "時期", "en": "Wave"},
    "value.action.kept": {"ja": "採用", "en": "kept"},
    "value.action.set_missing": {"ja": "欠測扱い", "en": "set missing"},
    "value.action.dropped": {"ja": "除外", "en": "dropped"},
    "value.action.error": {"ja": "エラー", "en": "error"},
    "value.problem.empty_submission": {"ja": "回答なし", "en": "empty submission"},
    "value.problem.duplicate_submission": {"ja": "重複回答", "en": "duplicate submission"},
    "value.problem.excluded": {"ja": "除外指定", "en": "excluded"},
    "value.problem.unknown_label": {"ja": "未定義の選択肢", "en": "unknown label"},
    "value.problem.invalid_value": {"ja": "無効な値", "en": "invalid value"},
    "value.problem.out_of_range": {"ja": "範囲外の値", "en": "out of range"},
    "value.problem.unknown_category": {"ja": "未定義の区分", "en": "unknown category"},
    "value.problem.other_option": {"ja": "その他の記入", "en": "other option"},
    "value.problem.missing_column": {"ja": "列がない", "en": "missing column"},
    "value.problem.missing_key": {"ja": "回答者コードなし", "en": "missing respondent code"},
    "value.problem.fuzzy_match": {"ja": "コードのゆれを照合", "en": "fuzzy code match"},
    "value.problem.bad_timestamp": {"ja": "日時を読めない", "en": "bad timestamp"},
    "value.problem.unreadable_source": {"ja": "読めないファイル", "en": "unreadable file"},
    "value.problem.unknown_course": {"ja": "未登録の研修", "en": "unknown course"},
    "value.problem.row_names": {"ja": "先頭の列を行名として読込", "en": "first field read as row names"},
    "value.problem.ragged_row": {"ja": "列の数が見出しと違う行", "en": "ragged row"},
    "value.problem.unclosed_quote": {"ja": "閉じていない引用符", "en": "unclosed quote"},
    "value.problem.undecodable_line": {"ja": "文字コードを読めない行", "en": "undecodable line"},
    "value.problem.encoding_mismatch": {"ja": "BOMと文字コードの不一致", "en": "BOM before cp932 text"},
    "value.problem.formula_without_value": {"ja": "値のない数式", "en": "formula without a value"},
    "value.problem.bad_code": {"ja": "形式が合わない回答者コード", "en": "code does not fit width"},

    # ------------------------------------------------------------------ stats cautions (dxsurvey.stats.codes)
    "caution.no_pairs": {"ja": "この指標で事前・事後がそろった組がありません", "en": "no complete pairs for this measure"},
    "caution.no_answers": {"ja": "{waves}の回答がありません", "en": "no answers in wave {waves}"},
    "caution.suppressed": {"ja": "回答者が{min_cell}人未満のため統計量は非表示",
                           "en": "n < {min_cell} (min_cell): statistics suppressed"},
    "caution.small_n": {"ja": "回答者が{limit}人未満: 解釈に注意", "en": "n < {limit}: interpret with caution"},
    "caution.single_course": {"ja": "比較する水準の一方が1講座だけ: 水準の違いと講座の違いを区別できません",
                              "en": "a level rests on a single course: it cannot be told apart from that course"},
    "caution.independent_fallback": {"ja": "照合できた組が{min_cell}組未満のため独立2群として分析",
                                     "en": "fewer than {min_cell} linked pairs: analysed as independent samples"},
    "caution.all_diffs_zero": {"ja": "すべての組で差が0", "en": "all paired differences are zero"},
    "caution.no_variance_diffs": {"ja": "差のばらつきが0のため t と効果量は算出不可",
                                  "en": "no variance in the differences: t and effect undefined"},
    "caution.no_variance_scores": {"ja": "得点のばらつきが0のため t と効果量は算出不可",
                                   "en": "no variance in the scores: t and effect undefined"},
    "caution.too_few_items": {"ja": "項目が2つ未満のため信頼性は算出不可",
                              "en": "k < 2: reliability needs at least two items"},
    "caution.too_few_respondents": {"ja": "回答者が{limit}人未満のため信頼性は算出不可",
                                    "en": "n < {limit}: reliability not computed"},
    "caution.no_total_variance": {"ja": "合計得点のばらつきが0", "en": "no variance in the total score"},
    "caution.negative_alpha": {"ja": "αが負: 逆転項目の設定を確認", "en": "negative alpha: check reverse coding"},
    "caution.omega_item_no_variance": {"ja": "ばらつきのない項目があるためωは算出不可",
                                       "en": "omega not computed: an item has no variance"},
    "caution.careless": {"ja": "不注意回答（全項目同一回答・回答時間が短すぎる）が{share}（{limit}超）: αが高く出ている可能性",
                         "en": "{share} of rows flagged as careless (over {limit}): alpha may be inflated"},
    "caution.sep": {"ja": "、", "en": "; "},
    "caution.wave_sep": {"ja": "・", "en": " and "},

    # ------------------------------------------------------------------ validation summary (dxsurvey validate)
    "validation.summary.title": {"ja": "検証結果: {survey}", "en": "Validation: {survey}"},
    "validation.summary.source": {
        "ja": "{file}  [{course} / {wave}]  形式 {format}  読込 {rows} 行 → 有効 {kept} 件"
              "（空欄 {empty}, 重複 {dup}, 除外 {excl}）",
        "en": "{file}  [{course} / {wave}]  format {format}  read {rows} rows -> {kept} valid "
              "(empty {empty}, duplicate {dup}, excluded {excl})",
    },
    "validation.summary.linkage": {
        "ja": "回答者の照合（{course}）: {wave_a}–{wave_b} 一致 {matched} 人, {wave_a}のみ {only_a}, {wave_b}のみ {only_b}",
        "en": "Linkage ({course}): {wave_a}-{wave_b} matched {matched}, {wave_a} only {only_a}, {wave_b} only {only_b}",
    },
    "validation.summary.anon": {
        "ja": "回答者の照合（{course}）: 回答者コードなし（匿名）: 独立標本として分析",
        "en": "Linkage ({course}): no respondent code (anonymous): analysed as independent samples",
    },
    "validation.summary.problems": {"ja": "問題 {n} 件（エラー {errors}, 警告 {warnings}）:",
                                    "en": "{n} problems ({errors} errors, {warnings} warnings):"},
    "validation.summary.ok": {"ja": "問題はありません。", "en": "No problems."},
    "validation.summary.status_error": {"ja": "エラーがあります（上記を修正してください）。",
                                        "en": "There are errors (fix the above)."},
    "validation.summary.status_ok": {"ja": "検証 OK（警告 {warnings} 件）。", "en": "Validation OK ({warnings} warnings)."},
    "validation.summary.row": {"ja": "{row}行目", "en": "row {row}"},
    "validation.summary.column": {"ja": "列「{column}」", "en": "column '{column}'"},
    "validation.summary.value": {"ja": "値「{value}」", "en": "value '{value}'"},
    "validation.summary.problem": {"ja": "{where}: {problem} → {action}", "en": "{where}: {problem} -> {action}"},
    "validation.summary.later_kept": {"ja": "（同じ回答者の後の回答{row}を採用）",
                                      "en": " (the same respondent's later answer{row} was kept)"},
    "validation.summary.later_row": {"ja": "（{row}行目）", "en": " (row {row})"},
    "validation.summary.detail": {"ja": "（{detail}）", "en": " ({detail})"},
    "validation.summary.explain.straight_lining": {
        "ja": "同じ尺度の続く{n}問以上すべてに同じ回答: 不注意な回答の疑い",
        "en": "the same answer to every item of a run of {n} or more items of one scale: possibly careless"},
    "validation.summary.explain.too_fast": {
        "ja": "開始から完了までが全体の中央値の3分の1未満: 不注意な回答の疑い",
        "en": "completed in less than a third of the median time: possibly careless"},
    "validation.summary.by_kind": {"ja": "問題の内訳（ファイル × 列 × 種類、エラーから）:",
                                   "en": "Problems by file x column x kind (errors first):"},
    "validation.summary.kind_line": {"ja": "  [{action}] {file}{column}: {problem} {n} 件",
                                     "en": "  [{action}] {file}{column}: {problem} {n}"},
    "validation.summary.kind_column": {"ja": " 「{column}」", "en": " [{column}]"},
    "validation.summary.examples": {"ja": "例（各内訳 {k} 件まで）:", "en": "Examples (up to {k} of each):"},
    "value.problem.merged_spellings": {"ja": "表記ゆれを統合", "en": "spellings merged"},
    "value.problem.label_loss": {"ja": "未定義の選択肢が多すぎる", "en": "too many unknown labels"},
    "value.problem.unknown_wave": {"ja": "未定義の時点", "en": "unknown wave"},
    "value.problem.filtered": {"ja": "対象外の行（where）", "en": "filtered out (where)"},
    "value.problem.same_column": {"ja": "同じ列を2時点で使用", "en": "same column for two waves"},
    "value.problem.straight_lining": {"ja": "全項目同一回答", "en": "straight-lining"},
    "value.problem.too_fast": {"ja": "回答時間が短すぎる", "en": "too fast"},
    "value.problem.duplicate_header": {"ja": "重複した列名", "en": "duplicate header"},

    # ------------------------------------------------------------------ narrative: sentences
    "narrative.no_data": {"ja": "表示できるデータがありません", "en": "No data to show"},
    "narrative.hidden": {
        "ja": "— 非表示（回答者{min_cell}人未満）",
        "en": "— hidden (fewer than {min_cell} respondents)",
    },
    "narrative.percent": {"ja": "回答の割合（%）", "en": "Share of answers (%)"},
    "narrative.respondents": {"ja": "回答者数（{wave}）", "en": "Respondents ({wave})"},
    "narrative.response_rate": {"ja": "回答率（{wave}）", "en": "Response rate ({wave})"},
    "narrative.effect_axis": {
        "ja": "効果量（{types}）と95%信頼区間",
        "en": "Effect size ({types}) with 95% CI",
    },
    "narrative.fewer_than": {"ja": "{n}人未満", "en": "fewer than {n}"},
    "narrative.all_respondents": {"ja": "回答者全体", "en": "All respondents"},
    "narrative.caution_suppressed": {
        "ja": "{who}: 回答者が{min_cell}人未満のため、数値を表示していません。",
        "en": "{who}: fewer than {min_cell} respondents, so the numbers are not shown.",
    },
    "narrative.caution_small": {
        "ja": "{who}: 回答者が少ない（最小 {n} 人、{limit}人未満）ため、結果は参考値です。",
        "en": "{who}: few respondents (smallest group {n}, under {limit}); read the results as indicative.",
    },
    "narrative.caution_independent": {
        "ja": "{who}: 事前と事後の回答を本人どうしで照合できない（または照合できた人が{min_cell}人未満の）ため、"
              "別々の集団として比較しています。変化には回答者の入れ替わりの影響が含まれます。",
        "en": "{who}: pre and post answers could not be linked person by person (or fewer than {min_cell} "
              "were linked), so the waves are compared as independent groups; the change includes who answered.",
    },
    "narrative.caution_unmatched": {
        "ja": "{who}: 対応のある分析に含まれない回答があります（{wave_a}のみ {only_a}、{wave_b}のみ {only_b}）。",
        "en": "{who}: some answers are left out of the paired analysis ({wave_a} only: {only_a}, "
              "{wave_b} only: {only_b}).",
    },
    "narrative.caution_flag": {"ja": "{who}: {what}", "en": "{who}: {what}"},
    "narrative.no_prepost": {
        "ja": "事前・事後を比較できる回答がありません。",
        "en": "There are no answers to compare before and after.",
    },
    "narrative.no_cautions": {"ja": "特に注意すべき点はありません。", "en": "Nothing in particular to note."},
    "narrative.quotes_shown": {
        "ja": "{min_cell_text}人以上が記入した設問の自由記述 {n} 件を、個人情報をマスクして掲載します。",
        "en": "{n} free-text answers to questions answered by at least {min_cell_text} people, with personal "
              "details masked.",
    },
    "narrative.quotes_hidden": {
        "ja": "自由記述は、記入者が{min_cell_text}人未満のため掲載していません（文体などから個人が特定されるおそれがあるため）。",
        "en": "Free-text answers are not shown: fewer than {min_cell_text} people wrote them, and wording can "
              "identify a person.",
    },
    "narrative.adjusted_axis": {"ja": "推定値と95%信頼区間（{model}）", "en": "Estimate with 95% CI ({model})"},
    "narrative.dir_up": {"ja": "上昇した", "en": "rose"},
    "narrative.dir_down": {"ja": "低下した", "en": "fell"},
    "narrative.dir_same": {"ja": "変わらなかった", "en": "did not change"},
    "narrative.wave_count": {"ja": "{wave} {n}件", "en": "{n} {wave}"},
    "narrative.abstract_scope": {
        "ja": "調査「{survey}」では、{courses}講座の受講者から回答を得た（{waves}）。",
        "en": "The survey {survey} collected answers from participants of {courses} courses ({waves}).",
    },
    "narrative.result": {
        "ja": "{measure}の平均は{wave_a} {mean_a} から{wave_b} {mean_b} へ{direction}"
              "（差 {diff}、95%CI {ci}、{effect_type} = {effect}、Holm調整後 {p}、n = {n}、{design}）。",
        "en": "{measure} {direction} from {mean_a} ({wave_a}) to {mean_b} ({wave_b}) "
              "(difference {diff}, 95% CI {ci}, {effect_type} = {effect}, Holm-adjusted {p}, n = {n}, {design}).",
    },
    "narrative.result_hidden": {
        "ja": "{measure}は回答者が{min_cell}人未満のため数値を示さない。",
        "en": "{measure}: fewer than {min_cell} respondents, so no numbers are reported.",
    },
    "narrative.rel_values": {"ja": "α = {alpha}、ω = {omega}", "en": "α = {alpha}, ω = {omega}"},
    "narrative.h_design": {"ja": "### 研究デザイン", "en": "### Design"},
    "narrative.h_instruments": {"ja": "### 測定", "en": "### Instruments"},
    "narrative.h_statistics": {"ja": "### 分析方法", "en": "### Statistical analysis"},
    "narrative.h_missing": {"ja": "### 欠測の扱い", "en": "### Missing data"},
    "narrative.h_privacy": {"ja": "### 個人情報の保護", "en": "### Privacy"},
    "narrative.methods_design": {
        "ja": "{courses}講座の受講者に、{waves}の時点で質問紙調査を行った。講座は無作為に割り付けられていない"
              "（観察研究）。",
        "en": "Participants of {courses} courses answered questionnaires at these waves: {waves}. Courses were "
              "not randomised (an observational design).",
    },
    "narrative.methods_keyed": {
        "ja": "事前と事後の回答は回答者コードで照合し（照合できた人 {matched}）、照合できた人が{min_cell}人以上の"
              "講座は対応のある分析、それ以外は独立2群の分析とした。",
        "en": " Pre and post answers were linked by respondent code ({matched} linked); courses with at least "
              "{min_cell} linked pairs were analysed as paired, the others as independent samples.",
    },
    "narrative.methods_anonymous": {
        "ja": "回答は匿名で、事前と事後を本人どうしで照合できないため、独立2群として分析した。",
        "en": " Answers were anonymous, so pre and post were analysed as independent samples.",
    },
    "narrative.methods_instruments": {
        "ja": "評定項目 {n_items} 問（尺度: {scales}）を用い、{n_constructs}つの構成概念を項目平均で得点化した"
              "（逆転項目は逆転して平均）。信頼性はCronbachのα（Feldtの95%CI）とMcDonaldのω（total）で評価した。",
        "en": "{n_items} rating items (scales: {scales}) formed {n_constructs} constructs scored as item means "
              "(reverse items reversed). Reliability: Cronbach's alpha (Feldt 95% CI) and McDonald's omega total.",
    },
    "narrative.methods_construct": {
        "ja": "{label}（{k}項目: {items}）: {reliability}",
        "en": "{label} ({k} items: {items}): {reliability}",
    },
    "narrative.methods_statistics": {
        "ja": "構成概念は対応のあるt検定（効果量 Cohenのd_z）またはWelchのt検定（Hedgesのg）、"
              "項目はWilcoxonの符号順位検定またはMann–WhitneyのU検定（効果量 順位双列相関）で事前・事後を比較した。"
              "差には95%信頼区間を付し、構成概念の効果量の区間は非心t分布の反転（Rのeffectsize・MBESSと同じ方法）、"
              "項目の効果量の区間は30人以下の群でシード固定のブートストラップ、それより大きい群で解析的に求めた。"
              "p値は族ごとにHolm法で調整した。"
              "講師・形式・スタイル・対象の比較は、事前得点を共変量とするANCOVA（HC3標準誤差）と推定周辺平均により行い、"
              "変化量による比較を併記した。{min_cell}人未満の群は報告しない。",
        "en": "Constructs were compared with paired t tests (Cohen's d_z) or Welch t tests (Hedges' g), items with "
              "Wilcoxon signed-rank or Mann-Whitney U tests (rank-biserial correlation). Differences carry 95% "
              "confidence intervals; the intervals of construct effects invert the noncentral t (as R's effectsize "
              "and MBESS), those of item effects are a seeded bootstrap in groups of 30 or fewer and analytic in "
              "larger ones. p values are Holm-adjusted within each family. Instructors, formats, styles and audiences were compared with ANCOVA on the "
              "pre score (HC3 errors) and estimated marginal means, with the gain-score comparison beside it. "
              "Groups under {min_cell} respondents are not reported.",
    },
    "narrative.methods_missing": {
        "ja": "無回答・「わからない」は欠測とし、0とはみなさない。構成概念得点は項目の半数以上に回答した人について"
              "算出した。読み取れない値・範囲外の値は欠測とし、検証レポートに記録した。",
        "en": "No answer and \"don't know\" are missing, never 0. A construct score needs answers to at least half "
              "of its items. Unreadable or out-of-range values were set missing and logged in the validation report.",
    },
    "narrative.methods_privacy": {
        "ja": "報告は集計値のみとし、回答者が{min_cell}人未満の集計は「—」で伏せた（合計から逆算できないよう補完的にも伏せた）。"
              "自由記述は氏名・連絡先をマスクし、記入者が{min_cell_text}人以上の設問に限って掲載した。",
        "en": "Reports hold aggregates only; cells under {min_cell} respondents are shown as \"—\" (with "
              "complementary suppression). Free text is masked and shown only for questions answered by at least "
              "{min_cell_text} people.",
    },
    "value.model.ancova": {"ja": "ANCOVA", "en": "ANCOVA"},
    "value.model.gain": {"ja": "変化量モデル", "en": "gain score"},
    "value.model.mixed": {"ja": "混合モデル", "en": "mixed model"},
    "value.model.wave_x_factor": {"ja": "時点×要因モデル", "en": "wave x factor"},
    "value.model.post_only": {"ja": "事後のみの比較", "en": "post only"},
    "value.model.ordinal": {"ja": "順序ロジット", "en": "ordinal logit"},
    "col.measure": {"ja": "測定", "en": "Measure"},
    "col.pre": {"ja": "事前 M (SD)", "en": "Pre M (SD)"},
    "col.post": {"ja": "事後 M (SD)", "en": "Post M (SD)"},
    "col.p": {"ja": "p値", "en": "p"},
    "col.model": {"ja": "モデル", "en": "Model"},
    "col.term": {"ja": "項", "en": "Term"},
    "col.df": {"ja": "自由度", "en": "df"},
    "col.factor": {"ja": "要因", "en": "Factor"},
    "col.factor_level": {"ja": "水準", "en": "Level"},
    "col.level_a": {"ja": "水準A", "en": "Level A"},
    "col.level_b": {"ja": "水準B", "en": "Level B"},
    "col.n_courses": {"ja": "講座数", "en": "Courses"},
    "col.estimate": {"ja": "推定値", "en": "Estimate"},
    "col.name": {"ja": "名前", "en": "Name"},
    "col.package": {"ja": "パッケージ", "en": "Package"},
    "col.version": {"ja": "バージョン", "en": "Version"},
    "col.file": {"ja": "ファイル", "en": "File"},
    "col.size": {"ja": "サイズ（バイト）", "en": "Size (bytes)"},
    "col.sha256": {"ja": "SHA-256", "en": "SHA-256"},
    "col.alpha": {"ja": "α", "en": "Alpha"},
    "col.k": {"ja": "項目数", "en": "k"},
    "col.alpha_ci_low": {"ja": "α 95%CI下限", "en": "Alpha 95% CI low"},
    "col.alpha_ci_high": {"ja": "α 95%CI上限", "en": "Alpha 95% CI high"},
    "col.omega_total": {"ja": "ω（total）", "en": "Omega total"},

    # ------------------------------------------------------------------ notebook 00_validation
    "00_validation.title": {"ja": "# データ検証レポート: {survey}", "en": "# Validation report: {survey}"},
    "00_validation.sources": {
        "ja": "## 読み込んだファイル\n\nファイルごとに、読み込んだ行数、分析に使う回答数、除外した行数（理由別）を示します。",
        "en": "## Files read\n\nPer file: rows read, submissions kept, and rows dropped by reason.",
    },
    "00_validation.cap_sources": {"ja": "ファイルごとの読み込み結果", "en": "Rows read, kept and dropped per file"},
    "00_validation.problems": {
        "ja": "## 見つかった問題（{n} 件）\n\n問題の件数をファイル・列・種類ごとに集計し、最初の数件を示します。"
              "回答者コードと自由記述の値は「＊＊＊」で伏せています。",
        "en": "## Problems found ({n})\n\nCounts by file, column and problem, then the first few rows. "
              "Respondent codes and free-text values are masked as \"＊＊＊\".",
    },
    "00_validation.cap_problem_counts": {"ja": "問題の件数（ファイル・列・種類別）",
                                         "en": "Problems by file, column and kind"},
    "00_validation.cap_problem_examples": {"ja": "問題の例（最初の{n}件、個人に関わる値は伏せ字）",
                                           "en": "First {n} problems (personal values masked)"},
    "00_validation.linkage": {
        "ja": "## 回答数と回答率\n\n講座ごとの事前・事後の回答数と、回答率（対象者数に対する割合）です。"
              "回答数が{min_cell}人未満の講座は「—」で伏せています。",
        "en": "## Respondents and response rates\n\nPer course: answers before and after, and response rates "
              "against the invited. A course with fewer than {min_cell} respondents in a wave is shown as \"—\".",
    },
    "00_validation.cap_response": {"ja": "講座ごとの回答数・回答率", "en": "Respondents and response rates per course"},
    "00_validation.linkage_pairs": {
        "ja": "### 回答者の照合\n\n回答者コードで事前と事後を照合できた人数と、片方だけに回答した人数です。"
              "どれかが{min_cell}人未満の講座は、差し引きで分かってしまうため3つとも「—」で伏せています（回答数は上の表のとおり）。",
        "en": "### Linkage\n\nPeople whose pre and post answers were linked by respondent code, and those who "
              "answered one wave only. When any of these is under {min_cell}, all three are shown as \"—\" "
              "(the others would reveal it by subtraction); the respondent counts above stay shown.",
    },
    "00_validation.cap_linkage": {"ja": "講座ごとの照合結果", "en": "Linkage per course"},
    # (compare-words) the 説明 column: what a problem means, from its code, in the report's language
    "00_validation.scale_range": {"ja": "{low}「{low_label}」〜{high}「{high_label}」",
                                  "en": "{low} '{low_label}' to {high} '{high_label}'"},
    "00_validation.scale_range_plain": {"ja": "{low}〜{high}", "en": "{low} to {high}"},
    "00_validation.explain.out_of_range_scale": {"ja": "尺度の範囲（{range}）の外の値 → {action}",
                                                 "en": "outside the scale ({range}) -> {action}"},
    "00_validation.explain.out_of_range": {"ja": "尺度の範囲外の値 → {action}", "en": "outside the scale -> {action}"},
    "00_validation.explain.invalid_value": {"ja": "読み取れない値（2つの印など） → {action}",
                                            "en": "unreadable value (two marks, text in a number field) -> {action}"},
    "00_validation.explain.unknown_label": {"ja": "尺度の選択肢にない回答 → {action}",
                                            "en": "not one of the scale's answers -> {action}"},
    "00_validation.explain.unknown_category": {"ja": "定義にない区分（役職など） → {action}",
                                               "en": "a category the codebook does not define (e.g. a role) -> {action}"},
    "00_validation.explain.other_option": {"ja": "選択肢にない記述 → 「その他」として{action}",
                                           "en": "text not among the options -> {action} as 'other'"},
    "00_validation.explain.empty_submission": {"ja": "どの設問にも有効な回答がない行（空行・集計行・白紙） → {action}",
                                               "en": "no valid answer to any item (blank row, footer or blank sheet) -> {action}"},
    "00_validation.explain.duplicate_submission": {"ja": "同じ回答者の同じ時点の回答が複数: 後の回答を採用 → この行は{action}",
                                                   "en": "the same respondent answered this wave twice: the later answer is kept -> {action}"},
    "00_validation.explain.excluded": {"ja": "調査票の定義で除外を指定（テスト回答など） → {action}",
                                       "en": "excluded by the codebook (a test submission) -> {action}"},
    "00_validation.explain.missing_key": {"ja": "回答者コードが空欄: 照合できない → {action}",
                                          "en": "no respondent code: cannot be linked -> {action}"},
    "00_validation.explain.fuzzy_match": {"ja": "回答者コードを1文字違いで照合 → {action}",
                                          "en": "respondent code matched with one differing character -> {action}"},
    "00_validation.explain.missing_column": {"ja": "設問の列がファイルにない → {action}",
                                             "en": "the question's column is not in the file -> {action}"},
    "00_validation.explain.bad_timestamp": {"ja": "日時を読み取れない → {action}", "en": "unreadable date/time -> {action}"},
    "00_validation.explain.unreadable_source": {"ja": "ファイルを読み込めない → {action}",
                                                "en": "the file cannot be read -> {action}"},
    "00_validation.explain.unknown_course": {"ja": "研修一覧（courses.csv）にない研修 → {action}",
                                             "en": "a course not listed in courses.csv -> {action}"},
    "00_validation.explain.duplicate_header": {"ja": "同じ列名が2つ以上 → {action}",
                                               "en": "the same header appears twice -> {action}"},
    "00_validation.explain.other": {"ja": "{problem} → {action}", "en": "{problem} -> {action}"},
    "value.source_format.google_forms": {"ja": "Google フォーム", "en": "Google Forms"},
    "value.source_format.ms_forms": {"ja": "Microsoft Forms", "en": "Microsoft Forms"},
    "value.source_format.csv": {"ja": "CSV", "en": "CSV"},
    "value.source_format.xlsx": {"ja": "Excel", "en": "Excel"},

    # shared by the course and research reports (compact APA-style tables)
    "report.cap_apa_constructs": {
        "ja": "構成概念の事前・事後比較（M (SD)、差 [95%CI]、検定統計量、Holm調整p、効果量 [95%CI]）",
        "en": "Pre/post comparison of constructs (M (SD), difference [95% CI], statistic, Holm-adjusted p, "
              "effect [95% CI])",
    },
    "report.cap_apa_items": {"ja": "項目の事前・事後比較", "en": "Pre/post comparison of items"},

    # ------------------------------------------------------------------ notebook 10_course_report
    "10_course_report.title": {"ja": "# 研修報告: {course}", "en": "# Course report: {course}"},
    "10_course_report.facts": {"ja": "## 研修の概要", "en": "## The course"},
    "10_course_report.cap_facts": {"ja": "研修の概要と回答者数", "en": "Course facts and respondents"},
    "10_course_report.reaction": {
        "ja": "## 受講者の反応（レベル1）\n\n研修直後の満足度・有用性の回答分布です。",
        "en": "## Reaction (level 1)\n\nSatisfaction and usefulness right after the course.",
    },
    "10_course_report.cap_reaction": {"ja": "受講者の反応の回答分布", "en": "Reaction: distribution of answers"},
    "10_course_report.likert": {
        "ja": "## 事前・事後の回答分布\n\n「そう思う」「満足」のように反対の意味の両端を持つ尺度は、中央を0として否定的な回答を左、"
              "肯定的な回答を右に示します。頻度や数値の尺度は0から積み上げて示します。",
        "en": "## Answers before and after\n\nScales between two opposites (agree, satisfied) are centred on the "
              "middle: disagreement to the left, agreement to the right. Frequencies and numbered scales are "
              "stacked from 0.",
    },
    "10_course_report.cap_likert": {"ja": "事前・事後の回答分布（項目別）", "en": "Answers before and after, by item"},
    "10_course_report.change": {
        "ja": "## 事前から事後への変化\n\n差は事後−事前、効果量は事後が高いとき正です。",
        "en": "## Change from pre to post\n\nDifference = post − pre; effects are positive when post is higher.",
    },
    "10_course_report.cap_change": {"ja": "構成概念・項目ごとの変化と効果量（全統計量）",
                                    "en": "Change and effect size per construct and item (all statistics)"},
    "10_course_report.cap_later_all": {"ja": "{caption}（全統計量）", "en": "{caption} (all statistics)"},
    "10_course_report.details": {
        "ja": "## 付録: 変化の詳細表\n\n本文の表の元になった全統計量（人数、平均、標準偏差、信頼区間の上下限、"
              "検定、p値と調整済みp値、効果量）です。同じ内容が `tables/` のCSVと `tables.xlsx` にあります。",
        "en": "## Appendix: change in detail\n\nEvery statistic behind the tables above (counts, means, SDs, "
              "interval bounds, test, p and adjusted p, effect sizes). The same table is in `tables/` "
              "(CSV) and `tables.xlsx`.",
    },
    "10_course_report.cap_forest": {"ja": "構成概念の効果量と95%信頼区間", "en": "Construct effect sizes with 95% CIs"},
    "10_course_report.later": {"ja": "## {title}\n\n{text}", "en": "## {title}\n\n{text}"},
    "narrative.later.retention.title": {"ja": "追跡調査: 事後から追跡時点への変化（定着）",
                                        "en": "Follow-up: change from post to follow-up (retention)"},
    "narrative.later.retention.text": {
        "ja": "差は追跡−事後です。0に近ければ研修直後の状態が保たれ、負であれば薄れたことを示します。",
        "en": "The difference is follow-up minus post: near 0 means the post level was kept, "
              "negative means it faded."},
    "narrative.later.retention.caption": {"ja": "事後から追跡時点への構成概念の変化",
                                          "en": "Construct change from post to follow-up"},
    "narrative.later.response_shift.title": {"ja": "振り返り事前評価: 回答基準のずれ",
                                             "en": "Retrospective pre-test: response shift"},
    "narrative.later.response_shift.text": {
        "ja": "研修後に「研修前の自分」を振り返って答えた値と実際の事前の回答との差（振り返り−事前）です。"
              "負であれば、研修で基準が上がり、事前には自分を高く評価しすぎていたことを示し、事前・事後の差は"
              "変化を小さく見積もっている可能性があります。",
        "en": "The retrospective rating of oneself before the course minus the actual pre answer "
              "(then − pre). Negative means the course raised the yardstick: people rated themselves "
              "too high before it, so the pre/post difference may understate the change."},
    "narrative.later.response_shift.caption": {"ja": "振り返り事前評価と事前の回答の差（構成概念）",
                                               "en": "Then-test minus pre, per construct"},
    "10_course_report.reliability": {"ja": "## 尺度の信頼性", "en": "## Reliability"},
    "10_course_report.cap_reliability": {"ja": "構成概念の信頼性（時点別）", "en": "Reliability per construct and wave"},
    "10_course_report.cautions": {"ja": "## 結果を読む際の注意\n\n{cautions}",
                                  "en": "## Reading these results\n\n{cautions}"},
    "10_course_report.quotes": {"ja": "## 自由記述\n\n{note}", "en": "## Free text\n\n{note}"},
    "10_course_report.cap_quotes": {"ja": "自由記述（個人情報はマスク済み）", "en": "Free-text answers (masked)"},
    "10_course_report.cap_all_quotes": {"ja": "自由記述の全件（個人情報はマスク済み、報告には一部を掲載）",
                                        "en": "All free-text answers (masked; the report shows a selection)"},

    # ------------------------------------------------------------------ notebook 20_comparison
    "20_comparison.intro": {
        "ja": "# 講師・形式・スタイル・対象の比較\n\n研修は無作為に割り付けられていないため、事前得点で調整したANCOVAと"
              "変化量の両方を示します。順位ではなく、推定値と区間の重なりで読んでください。",
        "en": "# Comparing instructors, formats, styles and audiences\n\nCourses were not randomised, so both "
              "ANCOVA (adjusted for the pre score) and gain scores are shown. Read estimates and intervals, "
              "not rankings.",
    },
    "20_comparison.construct": {"ja": "## {label}\n\n主な分析: {model}", "en": "## {label}\n\nMain model: {model}"},
    "20_comparison.cap_means": {"ja": "{label}: 要因の水準ごとの推定値", "en": "{label}: estimates per level"},
    "20_comparison.cap_terms": {"ja": "{label}: 要因の検定（タイプII）", "en": "{label}: type-II tests"},
    "20_comparison.cap_levels": {"ja": "{label}: 水準ごとの推定値（全モデル）", "en": "{label}: estimates per level (all models)"},
    "20_comparison.cap_contrasts": {"ja": "{label}: 水準間の差", "en": "{label}: differences between levels"},
    "20_comparison.cap_gain": {"ja": "{label}: 変化量（事後−事前）による比較", "en": "{label}: gain-score view (post − pre)"},
    "20_comparison.notes": {"ja": "**分析上の注記**\n\n{notes}", "en": "**Notes**\n\n{notes}"},
    "20_comparison.by_course": {"ja": "## 講座ごとの変化", "en": "## Change per course"},
    "20_comparison.cap_by_course": {"ja": "講座ごとの構成概念の変化（事後−事前）", "en": "Construct change per course (post − pre)"},

    # ------------------------------------------------------------------ 20_comparison: design, key points (compare-words)
    "20_comparison.key_points": {"ja": "## 要点\n\n{points}", "en": "## Key points\n\n{points}"},
    "20_comparison.kp_scope": {
        "ja": "{courses}講座の受講者の回答で、{constructs}つの構成概念のうち{compared}つについて講師・形式・スタイル・対象を比較しました。",
        "en": "Answers from {courses} courses were used to compare instructors, formats, styles and audiences "
              "on {compared} of {constructs} constructs.",
    },
    "20_comparison.kp_best": {
        "ja": "調整後の変化が最も大きかったのは、{construct}における{F}「{L}」でした（推定値 {est}、95%CI {ci}、{model}、{k}講座）。",
        "en": "The largest adjusted change was in {construct} for {F} '{L}' (estimate {est}, 95% CI {ci}, "
              "{model}, {k} courses).",
    },
    "20_comparison.kp_best_post": {
        "ja": "事後得点の推定値が最も高かったのは、{construct}における{F}「{L}」でした（推定値 {est}、95%CI {ci}、{model}、{k}講座）。",
        "en": "The highest estimated post score was in {construct} for {F} '{L}' (estimate {est}, 95% CI {ci}, "
              "{model}, {k} courses).",
    },
    "20_comparison.kp_pair": {"ja": "{construct}（{factors}）", "en": "{construct} ({factors})"},
    "20_comparison.kp_apart": {
        "ja": "次の比較では水準の違いを区別できませんでした（差の95%CIがすべて0を含む。差がないことを示すものではありません）: {what}。",
        "en": "These comparisons could not tell the levels apart (every difference's 95% CI includes 0; "
              "this does not show that there is no difference): {what}.",
    },
    "20_comparison.kp_clear": {
        "ja": "次の比較では、少なくとも1組の水準の差の95%CIが0を含みませんでした: {what}。",
        "en": "In these comparisons at least one difference between levels has a 95% CI excluding 0: {what}.",
    },
    "20_comparison.factor_sep": {"ja": "・", "en": ", "},
    "20_comparison.kp_tangled_pair": {"ja": "{A}と{B}", "en": "{A} and {B}"},
    "20_comparison.kp_tangled": {
        "ja": "講座の組み立て上、次の要因は切り離せません（片方の効果に他方の効果が混じります）: {pairs}。",
        "en": "The courses tangle these factors together (the effect of one includes the other's): {pairs}.",
    },
    "20_comparison.kp_untangled": {
        "ja": "講座の組み立て上、切り離せない要因の組はありませんでした。",
        "en": "The courses tangle no pair of factors together.",
    },
    "20_comparison.kp_few": {
        "ja": "最も少ない水準はわずか{k}講座に基づきます。回答者単位のp値と区間は、講座の違いを回答者の人数分に数えるため、確かさを過大に示します。",
        "en": "The smallest level rests on only {k} courses; respondent-level p-values and intervals count "
              "course differences once per respondent and so overstate certainty.",
    },
    "20_comparison.design": {
        "ja": "### 講座の組み立て\n\n{entangled}\n\n**比較の元になった講座の数**\n\n{rests_on}",
        "en": "### How the courses were put together\n\n{entangled}\n\n**Courses behind each comparison**\n\n{rests_on}",
    },
    "20_comparison.tangled_head": {
        "ja": "次の要因の組は、講座の組み立てで結びついているため、効果を切り離せません（Cramér の V は講座を単位とした関連の強さ、1で完全に一致）。",
        "en": "These pairs of factors go together across the courses, so their effects cannot be told apart "
              "(Cramér's V: association over courses, 1 = complete).",
    },
    "20_comparison.tangled.aliased": {
        "ja": "{A}と{B}は完全に一致しています（V = {v}、{n}講座）。{details}",
        "en": "{A} and {B} coincide completely (V = {v}, {n} courses). {details}",
    },
    "20_comparison.tangled.confined": {
        "ja": "{A}と{B}: {details}（V = {v}、{n}講座）。",
        "en": "{A} and {B}: {details} (V = {v}, {n} courses).",
    },
    "20_comparison.tangled.associated": {
        "ja": "{A}と{B}は講座の間で強く関連しています（V = {v}、{n}講座）。{details}",
        "en": "{A} and {B} are strongly associated across courses (V = {v}, {n} courses). {details}",
    },
    "20_comparison.confined": {
        "ja": "{F}「{L}」の{k}講座はすべて{G}「{M}」",
        "en": "the {k} courses with {F} '{L}' all had {G} '{M}'",
    },
    "20_comparison.untangled": {
        "ja": "講座の組み立てで結びついている要因の組はありません（どの水準も、2講座以上あれば他の要因の複数の水準と組み合わされています）。",
        "en": "No pair of factors goes together across the courses (every level held by two or more courses "
              "meets several levels of each other factor).",
    },
    "20_comparison.same_design": {"ja": "講座の組み立ては前の節と同じです（同じ講座、同じ要因の結びつき）。",
                                  "en": "The courses are the same as in the previous section, and so is how they tangle the factors."},
    "20_comparison.level_courses": {"ja": "{L} {k}講座", "en": "{L}: {k}"},
    "20_comparison.rests_on": {"ja": "{F}: {levels}", "en": "{F} (courses per level): {levels}"},
    "20_comparison.few_courses": {
        "ja": "{k}講座以下の水準があります。表のp値と区間は回答者を単位に計算しているため、講座が少ない比較では確かさを過大に示します。"
              "下の講座ごとの変化で、比較の元になった講座を確かめてください。",
        "en": "Some levels rest on {k} courses or fewer. The p-values and intervals in the tables treat "
              "respondents as the unit, so with so few courses they overstate certainty; the change per "
              "course below shows the courses behind each comparison.",
    },
    "20_comparison.courses_view": {
        "ja": "### 講座ごとの変化（講座単位の見方）\n\n要因の比較は、下の講座の推定値の違いに基づいています。",
        "en": "### Change per course (the course-level view)\n\nThe factor comparisons rest on the differences "
              "between these course estimates.",
    },
    "20_comparison.cap_courses": {"ja": "{label}: 講座ごとの変化の推定値と95%信頼区間",
                                  "en": "{label}: estimated change per course with 95% CI"},
    "20_comparison.course_axis": {"ja": "推定値と95%信頼区間（{kind}）", "en": "Estimate with 95% CI ({kind})"},
    "value.course_change.adjusted_change": {"ja": "事前得点で調整した変化（ANCOVA、HC3）",
                                            "en": "change adjusted for the pre score (ANCOVA, HC3)"},
    "value.course_change.change": {"ja": "事後平均−事前平均（Welch）", "en": "post mean − pre mean (Welch)"},
    "value.course_change.post_mean": {"ja": "事後平均", "en": "post mean"},
    "value.stat.F": {"ja": "F（HC3）", "en": "F (HC3)"},
    "value.stat.chi2": {"ja": "Wald χ²", "en": "Wald χ²"},
    "col.kind": {"ja": "推定の種類", "en": "Estimate of"},
    "20_comparison.glossary": {"ja": "## 記号と用語\n\n{items}", "en": "## Symbols and terms\n\n{items}"},
    "20_comparison.gloss.estimate": {
        "ja": "推定値: モデルが推定した値（推定周辺平均。他の要因を平均的な値にそろえた値）。観測された平均ではありません。",
        "en": "Estimate: the value a model estimates (estimated marginal mean: other factors set to their "
              "average); not an observed mean.",
    },
    "20_comparison.gloss.ci": {"ja": "95%CI: 95%信頼区間。", "en": "95% CI: 95% confidence interval."},
    "20_comparison.gloss.n_courses": {"ja": "講座数: その水準の推定の元になった講座の数。",
                                      "en": "Courses: how many courses an estimate rests on."},
    "20_comparison.gloss.p": {"ja": "p: p値（回答者を単位に計算）。", "en": "p: p-value (respondents as the unit)."},
    "20_comparison.gloss.p_adj": {"ja": "調整済みp値: 同じ要因の水準間の比較についてHolm法で調整したp値。",
                                  "en": "Adjusted p: Holm-adjusted within the comparisons of one factor."},
    "20_comparison.gloss.F": {"ja": "F: 要因の検定統計量（タイプII、F検定）。",
                              "en": "F: test statistic of a factor (type II, F test)."},
    "20_comparison.gloss.df": {"ja": "自由度: 検定の分子の自由度（要因の水準数−1）。",
                               "en": "df: numerator degrees of freedom (levels − 1)."},
    "20_comparison.gloss.hc3": {"ja": "HC3: 分散の違いに頑健な標準誤差。",
                                "en": "HC3: standard errors robust to unequal variances."},
    "20_comparison.gloss.chi2": {"ja": "Wald χ²: 混合モデル（講座の変量切片）の要因の検定統計量。",
                                 "en": "Wald χ²: test statistic of a factor in the mixed model (course random intercept)."},
    "20_comparison.gloss.ancova": {"ja": "ANCOVA: 事前得点で調整した事後得点の比較。",
                                   "en": "ANCOVA: post scores compared with the pre score as covariate."},
    "20_comparison.gloss.gain": {"ja": "変化量モデル: 事後−事前の差の比較（LordのパラドックスのためANCOVAと併記）。",
                                 "en": "Gain score: post − pre compared (shown beside ANCOVA: Lord's paradox)."},
    "20_comparison.gloss.mixed": {"ja": "混合モデル: 講座ごとの違いを変量切片として含むモデル。",
                                  "en": "Mixed model: includes a random intercept per course."},
    "20_comparison.gloss.wave_x_factor": {"ja": "時点×要因モデル: 回答者を照合できないときの、時点と要因の交互作用による変化の比較。",
                                          "en": "Wave x factor: change by level from a wave x factor interaction (unlinked answers)."},
    "20_comparison.gloss.post_only": {"ja": "事後のみの比較: 事後得点を要因ごとに比較するモデル。",
                                      "en": "Post only: post scores compared by factor."},
    "20_comparison.gloss.cramers_v": {"ja": "Cramér の V: 講座を単位にした2つの要因の関連の強さ（0〜1）。",
                                      "en": "Cramér's V: association of two factors over courses (0 to 1)."},
    "20_comparison.gloss.adjusted_change": {
        "ja": "講座ごとの変化: 事前得点を全講座の平均にそろえたときの、講座ごとの事後−事前の推定値。",
        "en": "Change per course: a course's estimated post − pre change at the average pre score of all courses.",
    },
    # ------------------------------------------------------------------ 20_comparison: compare()'s notes (stats.codes.NOTES)
    "20_comparison.note.unknown_all": {"ja": "{F}が全講座で不明（空欄）のため、モデルから除きました。",
                                       "en": "{F} is blank for every course: left out of the model."},
    "20_comparison.note.unknown_some": {"ja": "{f}が不明な{n}件（講座: {courses}）を除いて推定しました。",
                                        "en": "{n} responses with unknown {f} (courses: {courses}) were left out."},
    "20_comparison.note.constant": {"ja": "{f}はすべて「{level}」のため比較できません。モデルから除きました。",
                                    "en": "Every response has {f} '{level}': {f} cannot be compared and is left out."},
    "20_comparison.note.aliased": {
        "ja": "{confined}: {pair}の効果を分離できません。{dropped}を除いたモデルで推定しました（{dropped}の効果は{kept}の推定値に含まれます）。",
        "en": "{confined}: {pair} effects cannot be separated. The model leaves out {dropped}; "
              "the {kept} estimates include any {dropped} effect.",
    },
    "20_comparison.note.aliased_plain": {
        "ja": "{pair}の効果を分離できません。{dropped}を除いたモデルで推定しました（{dropped}の効果は{kept}の推定値に含まれます）。",
        "en": "The {pair} effects cannot be separated. The model leaves out {dropped}; "
              "the {kept} estimates include any {dropped} effect.",
    },
    "20_comparison.note.more": {"ja": "（他{n}件）", "en": " (and {n} more)"},
    "20_comparison.note.confined.instructor.format": {"ja": "講師「{s}」は{o}のみで実施", "en": "Instructor '{s}' only taught {o}"},
    "20_comparison.note.confined.instructor.style": {"ja": "講師「{s}」は{o}形式のみで実施",
                                                     "en": "Instructor '{s}' only taught {o} courses"},
    "20_comparison.note.confined.instructor.audience": {"ja": "講師「{s}」は{o}向けのみで実施",
                                                        "en": "Instructor '{s}' only taught {o}"},
    "20_comparison.note.confined.instructor.instructor_type": {"ja": "講師「{s}」は{o}として実施",
                                                               "en": "Instructor '{s}' is {o}"},
    "20_comparison.note.confined.by_instructor": {"ja": "{F}「{s}」は講師「{o}」のみが担当",
                                                  "en": "{F} '{s}' was only taught by '{o}'"},
    "20_comparison.note.confined.other": {"ja": "{F}「{s}」は{g}「{o}」のときのみ",
                                          "en": "{F} '{s}' occurred only with {g} '{o}'"},
    "20_comparison.note.aliased_combo": {
        "ja": "{F}は{others}の組合せで決まるため、効果を分離できません。{f}を除いたモデルで推定しました。",
        "en": "{F} is determined by the combination of {others}: its effect cannot be separated. "
              "The model leaves out {f}.",
    },
    "20_comparison.note.alias_none": {
        "ja": "{F}はこのデータでは効果を推定できません（回答者が少ないか、実質的に1つの水準しかありません）。モデルから除きました。",
        "en": "{F} cannot be estimated from these data (too few respondents, or in effect a single level). "
              "The model leaves it out.",
    },
    "20_comparison.note.alias_wave": {
        "ja": "{f}の一部の水準が片方の時点にしか回答がないため、{f}ごとの変化を推定できません。モデルから除きました。",
        "en": "Some {f} levels were surveyed in one wave only: the change by {f} cannot be estimated "
              "and {f} is left out.",
    },
    "20_comparison.note.hidden": {"ja": "{F}「{level}」は回答者が {min_cell} 人未満のため、推定値を示しません（{model}）。",
                                  "en": "{F} '{level}': fewer than {min_cell} respondents; its estimate is not shown ({model})."},
    "20_comparison.note.shrunk": {
        "ja": "{F}「{level}」は n={n}（{small} 未満）のため、推定値と区間を全体平均に向けて縮小しています（経験ベイズ、{model}）。",
        "en": "{F} '{level}': n={n} is below {small}; its estimate and interval are shrunk toward the grand mean "
              "(empirical Bayes, {model}).",
    },
    "20_comparison.note.leverage": {"ja": "{model}: 1件だけで決まる水準があるため、その回答はHC3標準誤差から除かれます。",
                                    "en": "{model}: a level rests on a single response; that response is left out of the HC3 errors."},
    "20_comparison.note.lord": {
        "ja": "ANCOVA（事後を事前で調整）と変化量（事後−事前）の両方を示します。研修は無作為割付ではないため、"
              "両者は異なる答えを出し得ます（Lordのパラドックス）。",
        "en": "Both ANCOVA (post adjusted for pre) and gain scores (post − pre) are shown. Courses were not "
              "randomised, so the two can disagree (Lord's paradox).",
    },
    "20_comparison.note.lord_disagree": {
        "ja": "ANCOVAと変化量モデルで差の向きが逆（少なくとも一方の区間が0を含まない）: {pairs}。どちらの比較が妥当かは割付の事情によります。",
        "en": "ANCOVA and gain scores point in opposite directions (at least one interval excludes 0) for: {pairs}. "
              "Which is right depends on how people came to attend each course.",
    },
    "20_comparison.note.flip": {"ja": "{f} {a}→{b}", "en": "{f} {a} → {b}"},
    "20_comparison.note.mixed_ok": {"ja": "混合モデル（講座の変量切片）: 講座間分散 {var:.3g}、級内相関 {icc:.2f}。",
                                    "en": "Mixed model (course random intercept): course variance {var:.3g}, ICC {icc:.2f}."},
    "20_comparison.note.mixed_none": {"ja": "どの水準も1講座だけのため、講座の変量切片は推定しません（{model}）。",
                                      "en": "Every level is a single course: no course random intercept ({model})."},
    "20_comparison.note.fallback": {
        "ja": "講座の変量切片を含むモデル（{model}）を採用しませんでした（{why}）。固定効果のモデル（{fixed}）の結果を使っています。",
        "en": "The model with a course random intercept ({model}) was not used ({why}); the results come from "
              "the fixed-effects model ({fixed}).",
    },
    "20_comparison.note.why.not_converged": {"ja": "推定が収束しない", "en": "the fit did not converge"},
    "20_comparison.note.why.zero_var": {"ja": "講座間分散がほぼ0（{detail:.2g}）",
                                        "en": "the course variance is (near) zero: {detail:.2g}"},
    "20_comparison.note.why.singular": {"ja": "固定効果の共分散行列が特異または欠損",
                                        "en": "the covariance of the fixed effects is singular or missing"},
    "20_comparison.note.why.identify": {"ja": "講座数が要因の組合せ数以下で講座間分散を識別できない",
                                        "en": "there are no more courses than factor combinations, so a course "
                                              "variance cannot be identified"},
    "20_comparison.note.why.error": {"ja": "推定できない", "en": "the fit failed"},
    "20_comparison.note.flat_pre": {
        "ja": "{wave}の得点が全員同じ（{value:.3g}）のため、ANCOVAは{wave}で調整できません。{wave}を除いたモデル（差は変化量モデルと同じ）で推定しました。",
        "en": "Every linked respondent has the same {wave} score ({value:.3g}): ANCOVA cannot adjust for it "
              "and is fitted without it (its differences equal the gain model's).",
    },
    "20_comparison.note.left_out": {
        "ja": "事前・事後の対応づけが{min_cell}組未満の講座（{courses}）はANCOVAから除きました。",
        "en": "Courses with fewer than {min_cell} linked respondents ({courses}) were left out of the linked models.",
    },
    "20_comparison.note.post_only_courses": {
        "ja": "事後のみの講座（{courses}）は事後のみの比較に含めました。",
        "en": "Courses with post answers only ({courses}) are compared on their post scores (post only).",
    },
    "20_comparison.note.co_taught": {
        "ja": "共同で担当した講座の講師の組み合わせ（{levels}）は、それぞれ講師の1つの水準として扱いました。",
        "en": "Instructors who co-taught a course ({levels}) are one instructor level of their own.",
    },
    "20_comparison.note.no_prepost": {
        "ja": "両時点の回答がある講座がないため、{wave}の得点を要因ごとに比較します（対象で調整）。",
        "en": "No course has both waves: {wave} scores are compared by factor, adjusted for audience.",
    },
    "20_comparison.note.no_prepost_plain": {"ja": "両時点の回答がある講座がないため、{wave}の得点を要因ごとに比較します。",
                                            "en": "No course has both waves: {wave} scores are compared by factor."},
    "20_comparison.note.unlinked": {
        "ja": "回答者を対応づけられないため、時点×要因の交互作用モデルで要因ごとの変化を比較します。",
        "en": "Respondents cannot be linked: changes by factor come from a wave x factor interaction model.",
    },
    "20_comparison.note.too_few": {"ja": "{model}: データが少なすぎて推定できません（n={n}、パラメータ {p}）。",
                                   "en": "{model}: too little data to fit (n={n}, {p} parameters)."},
    "20_comparison.note.no_scores": {"ja": "「{construct}」の得点がある回答がないため、比較できません。",
                                     "en": "No response has a score for '{construct}': nothing to compare."},
    "20_comparison.note.ordinal_sign": {
        "ja": "順序ロジット（項目「{item}」、{formula}）: {f}の効果の向きは同じ項目の線形モデルと{verdict}: {details}。",
        "en": "Ordinal logit (item '{item}', {formula}): the {f} effects {verdict} the linear model of the "
              "same item: {details}.",
    },
    "20_comparison.note.ordinal_same": {"ja": "一致", "en": "agree in direction with"},
    "20_comparison.note.ordinal_diff": {"ja": "一部逆", "en": "partly point opposite to"},
    "20_comparison.note.formula": {"ja": "{outcome} ~ {terms}", "en": "{outcome} ~ {terms}"},
    "20_comparison.note.ordinal_detail": {"ja": "{level}（基準: {ref}）{a:+.2f} / {b:+.2f}",
                                          "en": "{level} vs {ref} {a:+.2f} / {b:+.2f}"},
    "20_comparison.note.ordinal_skip": {
        "ja": "順序ロジットによる感度分析（項目「{item}」）は対応づけられたデータまたは事後のみのデータでのみ行います。",
        "en": "The ordinal sensitivity check (item '{item}') needs linked or post-only data; skipped.",
    },
    "20_comparison.note.ordinal_too_few": {
        "ja": "順序ロジット（項目「{item}」）を推定できませんでした（n={n}、回答の段階 {categories}）。",
        "en": "The ordinal model (item '{item}') could not be fitted (n={n}, {categories} answer levels).",
    },
    "20_comparison.note.ordinal_fail": {"ja": "順序ロジット（項目「{item}」）を推定できませんでした。",
                                        "en": "The ordinal model (item '{item}') could not be fitted."},
    "20_comparison.note.list_sep": {"ja": "、", "en": ", "},
    "20_comparison.note.phrase_sep": {"ja": "、", "en": "; "},
    "20_comparison.note.terms_sep": {"ja": " + ", "en": " + "},
    # ------------------------------------------------------------------ notebook 30_next_course
    "30_next_course.title": {"ja": "# 次の研修の計画（{survey}）", "en": "# Planning the next course ({survey})"},
    "30_next_course.summary": {"ja": "## 要点\n\n{body}", "en": "## Key points\n\n{body}"},
    "30_next_course.block": {"ja": "{body}", "en": "{body}"},
    "30_next_course.params": {"ja": "## 指定した条件\n\n{body}", "en": "## Fixed choices\n\n{body}"},
    "30_next_course.design_block": {"ja": "## 次回の評価の設計と必要な回答数\n\n{body}", "en": "## Evaluation design and answers needed\n\n{body}"},
    "30_next_course.summary_audience": {"ja": "**{audience}**: {sentences}", "en": "**{audience}**: {sentences}"},
    "30_next_course.s_focus": {"ja": "重点テーマは{items}です。", "en": "Focus on {items}. "},
    "30_next_course.focus_item": {"ja": "{label}（事後平均 {mean}、変化 {gain}）",
                                  "en": "{label} (post mean {mean}, change {gain})"},
    "30_next_course.s_no_focus": {"ja": "重点テーマを決める事後の回答がありません。",
                                  "en": "No post answers to choose a focus from. "},
    "30_next_course.s_focus_small": {"ja": "事後の回答が{min_cell}人未満のため、重点テーマは示しません。",
                                     "en": "Fewer than {min_cell} post answers: no focus is shown. "},
    "30_next_course.s_recommended": {
        "ja": "{what}は{choice}を推奨します（{basis}で{versus}より {diff} 点高い、{cls}、{notes}、{source}）。",
        "en": "{what}: {choice} is recommended ({basis}: {diff} points above {versus}, {cls}; {notes}; {source}). ",
    },
    "30_next_course.s_better": {
        "ja": "{what}は{choice}が{versus}より優れています（{basis}で {diff} 点高い、{cls}、{notes}、{source}）{rest}。",
        "en": "{what}: {choice} beats {versus} ({basis}: {diff} points higher, {cls}; {notes}; {source}){rest}. ",
    },
    "30_next_course.not_beaten": {"ja": "が、{levels}より優れているとは言えません",
                                  "en": ", but is not shown to be better than {levels}"},
    "30_next_course.op_not_beaten": {"ja": "{levels}より優れているとは言えない", "en": "not shown to beat {levels}"},
    "30_next_course.counts": {"ja": "{choice}{n}人・{n_courses}講座／{versus}{n_versus}人・{n_courses_versus}講座",
                              "en": "{choice}: n = {n}, courses = {n_courses}; {versus}: n = {n_versus}, courses = {n_courses_versus}"},
    "30_next_course.counts_one": {"ja": "{choice}{n}人・{n_courses}講座", "en": "{choice}: n = {n}, courses = {n_courses}"},
    "30_next_course.note_sep": {"ja": "、", "en": "; "},
    "30_next_course.note_tangled": {"ja": "{factors}と切り分けられず、その効果も含む",
                                    "en": "not separable from {factors}, whose effect it includes"},
    "30_next_course.note_entangled": {"ja": "{factors}とは講座の組み合わせが偏り、調整は少数の講座頼み",
                                      "en": "courses bundle it with {factors}, so the adjustment rests on few courses"},
    "30_next_course.note_single_course": {"ja": "{levels}は1講座のみで講座自体の違いと区別できない",
                                          "en": "{levels}: one course only, not separable from that course"},
    "30_next_course.s_equivalent": {"ja": "{what}は選択肢どうしが{cls}ため、運営しやすいものを選べます。",
                                    "en": "{what}: the options are {cls}; choose the one easiest to run. "},
    "30_next_course.s_undecided": {"ja": "{what}は{cls}です。", "en": "{what}: {cls}. "},
    "30_next_course.s_undecided_mde": {"ja": "{what}は{cls}で、{mde}。", "en": "{what}: {cls}; {mde}. "},
    "30_next_course.s_undecided_options": {"ja": "{what}（{options}）は{cls}です。", "en": "{what} ({options}): {cls}. "},
    "30_next_course.s_undecided_options_mde": {"ja": "{what}（{options}）は{cls}で、{mde}。",
                                               "en": "{what} ({options}): {cls}; {mde}. "},
    "30_next_course.s_fixed": {"ja": "{what}は指定どおり{choice}とします。", "en": "{what}: {choice}, as fixed. "},
    "30_next_course.s_not_estimable": {"ja": "{what}は比較できるデータがありません。",
                                       "en": "{what}: no data to compare. "},
    "30_next_course.s_hours": {
        "ja": "{what}は{choice}（{course}: 変化 {gain} 点、1時間あたり {per_hour}、{n_courses}講座から）が目安です。",
        "en": "{what}: about {choice} ({course}: change {gain} points, {per_hour} per hour; courses compared: {n_courses}). ",
    },
    "30_next_course.mde_equal": {"ja": "各群{n}人・{c}講座では d ≈ {mde} 未満の差は検出できません",
                                 "en": "with {n} per group (courses = {c} each), differences below d ≈ {mde} cannot be detected"},
    "30_next_course.mde_pair": {"ja": "{level_a}{n_a}人（{c_a}講座）と{level_b}{n_b}人（{c_b}講座）では d ≈ {mde} 未満の差は検出できません",
                                "en": "with {n_a} ({level_a}, courses = {c_a}) and {n_b} ({level_b}, courses = {c_b}), differences below d ≈ {mde} cannot be detected"},
    "30_next_course.source_audience": {"ja": "この対象のデータ", "en": "this audience's data"},
    "30_next_course.source_pooled": {"ja": "全対象を合わせたデータ", "en": "all audiences pooled"},
    "30_next_course.by_course": {"ja": "講座", "en": "Course"},
    "30_next_course.list_sep": {"ja": "・", "en": ", "},
    "30_next_course.sep": {"ja": "：", "en": ": "},
    "30_next_course.hours": {"ja": "研修時間", "en": "Hours"},
    "30_next_course.hours_value": {"ja": "{hours}時間", "en": "{hours} h"},
    "30_next_course.focus": {"ja": "重点テーマ", "en": "Focus"},
    "30_next_course.needs": {
        "ja": "## ニーズ: 研修後の到達度と伸び\n\n構成概念とその項目を、事後の平均（到達度）、事前からの変化（伸び）、"
              "伸びしろに対する伸びの割合で順位づけます（順位1が最も低い）。重要度の項目があれば重要度×到達度、なければ"
              "到達度×伸びの4象限に分け、どちらも平均を境にします。追跡調査がある場合は事後からの後戻りとその判定も示します。",
        "en": "## Needs: level after training and gain\n\nConstructs and their items ranked by post mean (level), change from "
              "pre (gain) and the share of the room to grow that was gained (rank 1 = lowest). With importance items the map is "
              "importance x attainment, else level x gain, each cut at the mean. Where a follow-up exists, the fall-back since "
              "post and its classification are shown.",
    },
    "30_next_course.measure_value": {"ja": "{label}（{value}）", "en": "{label} ({value})"},
    "30_next_course.measure_value_ci": {"ja": "{label}（{value} [{lo}, {hi}]）", "en": "{label} ({value} [{lo}, {hi}])"},
    "30_next_course.needs_low": {"ja": "{audience}: 事後の到達度が最も低いのは{item}です。",
                                 "en": "{audience}: lowest post level: {item}. "},
    "30_next_course.needs_small_gain": {"ja": "伸びが最も小さいのは{item}です。", "en": "Smallest gain: {item}. "},
    "30_next_course.needs_quadrant": {"ja": "{map}の図で「{quadrant}」に入るのは{items}です。",
                                      "en": "In the {map} map, \"{quadrant}\": {items}. "},
    "30_next_course.map_level_gain": {"ja": "到達度×伸び", "en": "level x gain"},
    "30_next_course.map_importance": {"ja": "重要度×到達度", "en": "importance x attainment"},
    "30_next_course.needs_fallback": {"ja": "事後から追跡調査までに下がったのは{items}です。",
                                      "en": "Fell back between post and follow-up: {items}. "},
    "30_next_course.needs_fallback_none": {"ja": "事後から追跡調査までに下がったと確かめられた構成概念はありません。",
                                           "en": "No construct was shown to fall back between post and follow-up. "},
    "30_next_course.needs_held": {"ja": "事後の水準を保った（{cls}）のは{items}です。",
                                  "en": "Held the post level ({cls}): {items}. "},
    "30_next_course.cap_needs": {"ja": "対象ごとの到達度・変化・後戻り（構成概念と項目）",
                                 "en": "Level, change and fall-back per audience (constructs and items)"},
    "30_next_course.cap_needs_fig": {"ja": "{map}の4象限（破線: 平均）", "en": "{map} quadrants (dashed: mean)"},
    "30_next_course.gain_per_hour": {
        "ja": "## 研修1時間あたりの伸び\n\n講座ごとの変化（事後−事前）を研修時間で割った値です。講座ごとの比較で、"
              "他の要因では調整していません。",
        "en": "## Gain per training hour\n\nEach course's change (post − pre) divided by its hours; course by course, "
              "not adjusted for other factors.",
    },
    "30_next_course.per_hour_line": {
        "ja": "{audience}: 時間のわかる{n_courses}講座のうち、1時間あたりの伸び（構成概念の平均）が最も大きいのは{top}"
              "（{top_hours}時間、変化 {top_diff}、1時間あたり {top_rate}）、最も小さいのは{bottom}（{bottom_hours}時間、"
              "変化 {bottom_diff}、1時間あたり {bottom_rate}）です。",
        "en": "{audience}: of {n_courses} courses with known hours, the largest gain per hour (mean over constructs) is "
              "{top} ({top_hours} h, change {top_diff}, {top_rate} per hour), the smallest {bottom} ({bottom_hours} h, "
              "change {bottom_diff}, {bottom_rate} per hour).",
    },
    "30_next_course.cap_gain_per_hour": {"ja": "講座・対象ごとの変化と1時間あたりの変化",
                                         "en": "Change and change per hour per course and audience"},
    "30_next_course.axis_x_level_gain": {"ja": "事後の平均（到達度）", "en": "Post mean (level)"},
    "30_next_course.axis_y_level_gain": {"ja": "変化（事後−事前）", "en": "Change (post − pre)"},
    "30_next_course.axis_x_importance": {"ja": "重要度", "en": "Importance"},
    "30_next_course.axis_y_importance": {"ja": "到達度", "en": "Attainment"},
    "30_next_course.what_worked": {
        "ja": "## 何が効いたか（要因と対象ごと）\n\n他の要因で調整した差（95%信頼区間）と、同等性の判定に使う90%信頼区間を示します。"
              "判定は 差がある / 差はあるが実質的に小さい / 同等とみなせる / 区別できない（判定保留） の4つで、"
              "p > .05 を「差がない」とは読みません。判定保留の行には、その人数で検出できる最小の差（MDE）を添えます。"
              "数値は比較レポートと同じ分析（調整済み平均の差）によります。講座数の列は差がいくつの講座に基づくかを示し、"
              "「区別できない要因」はモデルから外れた要因（差にその効果が含まれます）、「講座で偏る要因」は調整はしたものの"
              "講座の組み合わせが偏っていて切り分けが少数の講座頼みの要因です。",
        "en": "## What worked (per factor and audience)\n\nDifferences adjusted for the other factors with their 95% interval, "
              "and the 90% interval used for equivalence. Each is classified as different / different but small / "
              "equivalent / undecided; p > .05 is never read as \"no difference\". Undecided rows carry the minimum "
              "detectable effect (MDE) at their n. The numbers come from the same analysis as the comparison report. "
              "The course columns say on how many courses each side rests; \"tangled with\" names factors left out of "
              "the model (the difference includes their effect), \"bundled by courses\" factors adjusted for but "
              "bundled with the compared one by the courses, so the adjustment rests on few courses.",
    },
    "30_next_course.cap_what_worked": {"ja": "要因ごとの差と判定（同等性の幅 SESOI: d = {sesoi}）",
                                       "en": "Differences and classification per factor (SESOI: d = {sesoi})"},
    "30_next_course.behaviour": {
        "ja": "## 研修後の行動（カークパトリックのレベル3）\n\n約3か月後の追跡調査で「はい」と答えた割合と Wilson 法の95%信頼区間です。"
              "回答者が{min_cell}人未満のグループは非表示です。",
        "en": "## Behaviour after training (Kirkpatrick level 3)\n\nShare answering yes in the follow-up about three months later, "
              "with Wilson 95% intervals. Groups under {min_cell} respondents are hidden.",
    },
    "30_next_course.cap_behaviour": {"ja": "追跡調査の行動項目（講座・形式・スタイル・対象別）",
                                     "en": "Follow-up behaviour items by course, format, style and audience"},
    "30_next_course.ideas": {
        "ja": "## 寄せられた改善アイデア（レベル4）\n\nアイデア登録簿（ideas.csv）から、経路別・月別の件数、届いた課の数、"
              "受講者あたりの件数、実施率、研修からアイデアまでの日数を示します。",
        "en": "## Improvement ideas received (level 4)\n\nFrom the ideas register (ideas.csv): ideas by channel and month, "
              "sections reached, ideas per attendee, implementation rate, and days from course to idea.",
    },
    "30_next_course.no_ideas": {"ja": "アイデア登録簿（ideas.csv）がないため、この節は省略します。",
                                "en": "No ideas register (ideas.csv): this section is left out."},
    "30_next_course.idea_channel": {"ja": "{channel}: {n}件（{sections}課から）", "en": "{channel}: ideas {n}, sections {sections}"},
    "30_next_course.idea_story": {
        "ja": "最も多くのアイデアが寄せられた経路は{top}（{n_top}件、全体の{share_top}）、最も少ない経路は{bottom}（{n_bottom}件）です。",
        "en": "Most ideas came through {top} ({n_top}, {share_top} of all), the fewest through {bottom} ({n_bottom}).",
    },
    "30_next_course.idea_courses": {
        "ja": "研修に結びついたアイデアは{n}件で、案内した{invited}人の100人あたり{per}件です。",
        "en": "Ideas linked to a course: {n}, or {per} per 100 of the {invited} invited. ",
    },
    "30_next_course.idea_days": {"ja": "研修からアイデアまでの日数は中央値{median}日（四分位 {q1}–{q3}日）です。",
                                 "en": "Days from course to idea: median {median} (quartiles {q1}–{q3})."},
    "30_next_course.idea_status_unknown": {"ja": "（状況が不明な{m}件を除く）", "en": " (excluding {m} of unknown status)"},
    "30_next_course.ideas_unreadable": {
        "ja": "アイデア登録簿（ideas.csv）を読み込めませんでした。理由は検証ログ（00_validation）にあります。",
        "en": "The ideas register (ideas.csv) could not be read; the reason is in the validation log (00_validation).",
    },
    "30_next_course.all_courses": {"ja": "全講座（対象者数のわかる講座）", "en": "all courses (with invited known)"},
    "30_next_course.idea_reach": {"ja": "アイデアが届いた課は全{total}課のうち{reached}課（{share}）です。",
                                  "en": "Ideas came from {reached} of all {total} sections ({share})."},
    "30_next_course.idea_implemented": {
        "ja": "{n}件のうち{k}件が実施されました（実施率 {rate}、95%信頼区間 {lo}–{hi}）。",
        "en": "{k} of {n} ideas were implemented (rate {rate}, 95% CI {lo}–{hi}).",
    },
    "30_next_course.idea_problems": {"ja": "登録簿の{n}か所に問題があり、検証ログ（00_validation）に記録しました。",
                                     "en": "Problems in the register: {n}, listed in the validation log (00_validation)."},
    "30_next_course.all_channels": {"ja": "全経路", "en": "all channels"},
    "30_next_course.cap_ideas_channel": {"ja": "経路別のアイデア件数・届いた課・実施率",
                                         "en": "Ideas, sections reached and implementation per channel"},
    "30_next_course.cap_ideas_month": {"ja": "月別・経路別のアイデア件数", "en": "Ideas per month and channel"},
    "30_next_course.cap_ideas_fig": {"ja": "月別・経路別のアイデア件数", "en": "Ideas per month and channel"},
    "30_next_course.cap_ideas_course": {"ja": "講座ごとのアイデア件数と研修からの日数",
                                        "en": "Ideas per course and days from course to idea"},
    "30_next_course.axis_ideas": {"ja": "件数", "en": "Ideas"},
    "30_next_course.design": {
        "ja": "- 調査時点: 事前・事後・約3か月後の追跡の3回。回答者コードで同じ人の回答をつなぎます。\n"
              "- 自己評価の項目は事後に「受講前をふり返って」の振り返り評価（then-test）も尋ね、回答基準の変化を確かめます。\n"
              "- 追跡調査では上司による評価と職場の雰囲気の項目を加え、行動の変化を本人以外からも確かめます。\n"
              "- 必要な回答数は、今回観測した事前・事後の相関、回答率、追跡までの脱落を見込んで計算しています。",
        "en": "- Waves: pre, post and a follow-up about three months later, linked by respondent code.\n"
              "- For self-ratings, ask a retrospective then-test at post to check for response shift.\n"
              "- At follow-up, add supervisor ratings and workplace-climate items, so behaviour is seen by others too.\n"
              "- The answers needed use the observed pre-post correlation, response rate and follow-up attrition.",
    },
    "30_next_course.needed_line_norate": {
        "ja": "{audience}: 選択肢を d = {sesoi} の差で見分けるには各群{n}人（{construct}）が必要です（回答率は不明）。",
        "en": "{audience}: telling options apart at d = {sesoi} needs {n} per group ({construct}); the response rate is unknown.",
    },
    "30_next_course.expected_line": {
        "ja": "今回と同じ1講座あたり{invited}人の案内では選択肢ごとに約{n}組の回答が見込め、d = {sesoi} の差を見つける検出力は{power}、"
              "検出できる最小の差は d ≈ {mde} です。",
        "en": " Inviting {invited} per course as this time gives about {n} linked answers per option: power {power} to find "
              "d = {sesoi}, smallest detectable difference d ≈ {mde}.",
    },
    "30_next_course.op_needed": {"ja": "次回の評価に必要な回答数", "en": "Answers needed for the next evaluation"},
    "30_next_course.needed_line": {
        "ja": "{audience}: 選択肢を d = {sesoi} の差で見分けるには各群{n}人（{construct}）、回答率 {rate} なら{invite}人への案内が必要です。",
        "en": "{audience}: telling options apart at d = {sesoi} needs {n} per group ({construct}); at a response rate of {rate}, invite {invite}.",
    },
    "30_next_course.cap_needed": {"ja": "次回に必要な回答数と案内数（同等性の幅 SESOI: d = {sesoi}）",
                                  "en": "Answers and invitations needed next time (SESOI: d = {sesoi})"},
    "30_next_course.params_none": {
        "ja": "形式・スタイル・講師区分・時間はすべてデータから導いています（SESOI d = {sesoi}）。"
              "例えば形式を決めてから残りを導くには、実行時に `-p format online` のように指定します。",
        "en": "Format, style, instructor type and hours are all derived from the data (SESOI d = {sesoi}). "
              "To fix one and re-derive the rest, run with e.g. `-p format online`.",
    },
    "30_next_course.params_fixed": {"ja": "指定: {items}。残りはこの指定で調整して導き直しています（SESOI d = {sesoi}）。",
                                    "en": "Fixed: {items}. The rest is re-derived with these adjusted for (SESOI d = {sesoi})."},
    "30_next_course.param_item": {"ja": "{what} = {choice}", "en": "{what} = {choice}"},
    "30_next_course.glossary": {
        "ja": "## 用語\n\n"
              "- **MDE（検出可能な最小効果）**: その人数で80%の確率で見つけられる最小の差（効果量 d）。これより小さい差は、あっても見逃します。\n"
              "- **SESOI（実質的に意味のある最小の差）**: これより小さい差は実務上同じとみなす幅。既定は d = 0.3。\n"
              "- **同等性**: 差の90%信頼区間が ±SESOI の内側に収まること。有意差が出ないこととは別の、積極的な判定です。\n"
              "- **TOST（2つの片側検定）**: 同等性を確かめる検定。90%信頼区間が ±SESOI に収まることと同じ判定です。\n"
              "- **Wilson 法**: 割合の信頼区間の計算法。人数が少なくても範囲が0〜100%をはみ出しません。",
        "en": "## Glossary\n\n"
              "- **MDE (minimum detectable effect)**: the smallest difference (d) found with 80% probability at the given n; smaller ones can be missed.\n"
              "- **SESOI (smallest effect size of interest)**: differences smaller than this are treated as the same in practice; default d = 0.3.\n"
              "- **Equivalence**: the 90% interval of a difference lies within ±SESOI; a positive finding, unlike \"no difference\".\n"
              "- **TOST (two one-sided tests)**: the test of equivalence; the same decision as the 90% interval within ±SESOI.\n"
              "- **Wilson interval**: an interval for a proportion that stays within 0–100% even for small n.",
    },
    "30_next_course.op_title": {"ja": "次の研修の計画（1ページ版）", "en": "Plan for the next course (one page)"},
    "30_next_course.op_col_aspect": {"ja": "項目", "en": "Aspect"},
    "30_next_course.op_col_choice": {"ja": "推奨", "en": "Recommendation"},
    "30_next_course.op_col_basis": {"ja": "根拠となる数値と判定", "en": "Numbers and classification"},
    "30_next_course.op_focus": {"ja": "事後平均 {mean} [{lo}, {hi}]、変化 {gain}", "en": "post mean {mean} [{lo}, {hi}], change {gain}"},
    "30_next_course.op_factor": {"ja": "{basis}で{versus}との差 {diff}（{cls}）、{notes}", "en": "{basis}: {diff} vs {versus} ({cls}); {notes}"},
    "30_next_course.op_hours": {"ja": "{course}: 変化 {gain}、1時間あたり {per_hour}", "en": "{course}: change {gain}, {per_hour} per hour"},
    "30_next_course.op_design": {
        "ja": "評価: 事前・事後（自己評価には振り返り評価を追加）・約3か月後の追跡（上司評価と職場の雰囲気の項目）。",
        "en": "Evaluation: pre, post (with a then-test for self-ratings) and a follow-up about three months later "
              "(supervisor and workplace-climate items).",
    },
    "30_next_course.status_fixed": {"ja": "指定", "en": "fixed"},
    "30_next_course.status_equivalent": {"ja": "同等とみなせる", "en": "equivalent"},
    "30_next_course.status_not_estimable": {"ja": "比較できるデータなし", "en": "no data to compare"},
    "30_next_course.status_derived": {"ja": "データから導出", "en": "derived"},
    "30_next_course.status_undecided": {"ja": "区別できない（判定保留）", "en": "undecided"},
    "value.class.different": {"ja": "差がある", "en": "different"},
    "value.class.different_but_small": {"ja": "差はあるが実質的に小さい", "en": "different but small"},
    "value.class.equivalent": {"ja": "同等とみなせる", "en": "equivalent"},
    "value.class.undecided": {"ja": "区別できない（判定保留）", "en": "undecided"},
    "value.quadrant.priority_improve": {"ja": "重点改善", "en": "improve first"},
    "value.quadrant.maintain": {"ja": "維持", "en": "maintain"},
    "value.quadrant.low_priority": {"ja": "優先度低", "en": "low priority"},
    "value.quadrant.surplus": {"ja": "過剰", "en": "surplus"},
    "value.quadrant.improving": {"ja": "伸びている", "en": "improving"},
    "value.quadrant.strength": {"ja": "強み", "en": "strength"},
    "col.post_mean": {"ja": "事後平均", "en": "Post mean"},
    "col.post_ci_low": {"ja": "事後95%CI下限", "en": "Post 95% CI low"},
    "col.post_ci_high": {"ja": "事後95%CI上限", "en": "Post 95% CI high"},
    "col.gain": {"ja": "変化", "en": "Change"},
    "col.gain_ci_low": {"ja": "変化95%CI下限", "en": "Change 95% CI low"},
    "col.gain_ci_high": {"ja": "変化95%CI上限", "en": "Change 95% CI high"},
    "col.n_followup": {"ja": "追跡の人数", "en": "n follow-up"},
    "col.fallback": {"ja": "後戻り（追跡−事後）", "en": "Fall-back (follow-up − post)"},
    "col.fallback_class": {"ja": "後戻りの判定", "en": "Fall-back class"},
    "col.quadrant": {"ja": "象限", "en": "Quadrant"},
    "col.courses_a": {"ja": "講座数A", "en": "Courses A"},
    "col.courses_b": {"ja": "講座数B", "en": "Courses B"},
    "col.ci90_low": {"ja": "90%CI下限", "en": "90% CI low"},
    "col.ci90_high": {"ja": "90%CI上限", "en": "90% CI high"},
    "col.d": {"ja": "効果量 d", "en": "d"},
    "col.class": {"ja": "判定", "en": "Classification"},
    "col.mde_d": {"ja": "MDE（d）", "en": "MDE (d)"},
    "col.tangled_with": {"ja": "区別できない要因", "en": "Tangled with"},
    "col.entangled_with": {"ja": "講座で偏る要因（調整済み）", "en": "Bundled by courses (adjusted)"},
    "col.grouping": {"ja": "集計単位", "en": "Grouping"},
    "col.group": {"ja": "グループ", "en": "Group"},
    "col.n_yes": {"ja": "「はい」の人数", "en": "n yes"},
    "col.mean_ci_low": {"ja": "平均95%CI下限", "en": "Mean 95% CI low"},
    "col.mean_ci_high": {"ja": "平均95%CI上限", "en": "Mean 95% CI high"},
    "col.channel": {"ja": "経路", "en": "Channel"},
    "col.month": {"ja": "月", "en": "Month"},
    "col.ideas": {"ja": "アイデア件数", "en": "Ideas"},
    "col.implemented": {"ja": "実施件数", "en": "Implemented"},
    "col.implementation_rate": {"ja": "実施率", "en": "Implementation rate"},
    "col.sections_reached": {"ja": "届いた課の数", "en": "Sections reached"},
    "col.sections_all": {"ja": "全課数", "en": "All sections"},
    "col.respondents": {"ja": "回答者数", "en": "Respondents"},
    "col.ideas_per_invited": {"ja": "対象者あたり件数", "en": "Ideas per invited"},
    "col.ideas_per_respondent": {"ja": "回答者あたり件数", "en": "Ideas per respondent"},
    "col.days_median": {"ja": "日数（中央値）", "en": "Days (median)"},
    "col.days_q1": {"ja": "日数（第1四分位）", "en": "Days (Q1)"},
    "col.days_q3": {"ja": "日数（第3四分位）", "en": "Days (Q3)"},
    "col.days_min": {"ja": "日数（最小）", "en": "Days (min)"},
    "col.days_max": {"ja": "日数（最大）", "en": "Days (max)"},
    "col.rho": {"ja": "事前・事後の相関", "en": "Pre-post r"},
    "col.dz": {"ja": "変化の効果量 d_z", "en": "d_z of change"},
    "col.need_change": {"ja": "変化の確認に必要な組数", "en": "Pairs to confirm change"},
    "col.need_compare": {"ja": "比較に必要な各群の人数", "en": "n per option to compare"},
    "col.rate": {"ja": "回答率（組/対象者）", "en": "Rate (pairs/invited)"},
    "col.invite_change": {"ja": "案内数（変化）", "en": "Invite (change)"},
    "col.invite_compare": {"ja": "案内数（比較）", "en": "Invite (compare)"},
    "col.retention": {"ja": "追跡までの残存率", "en": "Retention to follow-up"},
    "col.invite_followup": {"ja": "案内数（追跡まで）", "en": "Invite (to follow-up)"},
    "col.aspect": {"ja": "項目", "en": "Aspect"},
    "col.rank_post": {"ja": "到達度の順位", "en": "Rank (post)"},
    "col.rank_gain": {"ja": "伸びの順位", "en": "Rank (gain)"},
    "col.rank_followup": {"ja": "追跡の順位", "en": "Rank (follow-up)"},
    "col.gain_norm": {"ja": "伸びしろに対する伸び", "en": "Normalised gain"},
    "col.followup_mean": {"ja": "追跡平均", "en": "Follow-up mean"},
    "col.importance": {"ja": "重要度", "en": "Importance"},
    "col.per_hour": {"ja": "1時間あたりの変化", "en": "Change per hour"},
    "col.per_hour_ci_low": {"ja": "1時間あたり95%CI下限", "en": "Per hour 95% CI low"},
    "col.per_hour_ci_high": {"ja": "1時間あたり95%CI上限", "en": "Per hour 95% CI high"},
    "col.status_known": {"ja": "状況のわかる件数", "en": "Status known"},
    "col.invited_course": {"ja": "1講座あたりの案内数（今回）", "en": "Invited per course (this time)"},
    "col.n_expected": {"ja": "見込まれる組数（1講座）", "en": "Expected pairs (one course)"},
    "col.power_expected": {"ja": "その場合の検出力", "en": "Power at that n"},
    "col.mde_expected": {"ja": "その場合のMDE（d）", "en": "MDE at that n (d)"},
    "col.fallback_ci_low": {"ja": "後戻り95%CI下限", "en": "Fall-back 95% CI low"},
    "col.fallback_ci_high": {"ja": "後戻り95%CI上限", "en": "Fall-back 95% CI high"},
    "col.choice": {"ja": "推奨", "en": "Recommendation"},
    "col.basis": {"ja": "根拠", "en": "Basis"},

    # ------------------------------------------------------------------ notebook 40_research_report
    "40_research_report.title": {"ja": "# 調査報告: {survey}", "en": "# Research report: {survey}"},
    "40_research_report.abstract": {"ja": "## 要旨\n\n{text}", "en": "## Abstract\n\n{text}"},
    "40_research_report.methods": {"ja": "## 方法\n\n{text}", "en": "## Methods\n\n{text}"},
    "40_research_report.cap_reliability": {"ja": "構成概念の信頼性（Cronbachのα、McDonaldのω）",
                                           "en": "Reliability of the constructs (Cronbach's alpha, McDonald's omega)"},
    "40_research_report.results": {"ja": "## 結果\n\n{text}", "en": "## Results\n\n{text}"},
    "40_research_report.cap_forest": {"ja": "構成概念の効果量と95%信頼区間（全講座）",
                                      "en": "Construct effect sizes with 95% CIs (all courses)"},
    "40_research_report.cap_likert": {"ja": "事前・事後の回答分布（全講座）", "en": "Answers before and after (all courses)"},
    "40_research_report.cap_by_course": {"ja": "講座ごとの構成概念の変化", "en": "Construct change per course"},
    "40_research_report.appendix": {
        "ja": "## 付録: 再現性\n\n同じ入力ファイル（SHA-256が一致）とパラメータ、ソフトウェアで再実行すると同じ結果になります。",
        "en": "## Appendix: reproducibility\n\nRe-running with the same inputs (matching SHA-256), parameters and "
              "software gives the same results.",
    },
    "40_research_report.cap_parameters": {"ja": "実行パラメータ", "en": "Parameters"},
    "param.survey": {"ja": "調査", "en": "Survey"},
    "param.language": {"ja": "レポートの言語", "en": "Report language"},
    "param.min_cell": {"ja": "集計を表示する最小人数", "en": "Smallest group shown"},
    "param.min_cell_text": {"ja": "自由記述を掲載する最小人数", "en": "Smallest group whose free text is shown"},
    "value.language.ja": {"ja": "日本語", "en": "Japanese"},
    "value.language.en": {"ja": "英語", "en": "English"},
    "narrative.scale_range": {"ja": "「{low}」〜「{high}」の{k}段階（{min}–{max}）",
                              "en": "{k} levels from '{low}' to '{high}' ({min}–{max})"},
    "narrative.scale_numeric": {"ja": "{min}〜{max}の数値", "en": "numbers {min}–{max}"},
    "40_research_report.cap_versions": {"ja": "ソフトウェアのバージョン", "en": "Software versions"},
    "40_research_report.cap_inputs": {"ja": "入力ファイルのSHA-256", "en": "SHA-256 of the input files"},
    "col.omega": {"ja": "ω", "en": "Omega"},

    # ------------------------------------------------------------------ key points, glossary, course/research content
    "keypoint.heading": {"ja": "## 要点", "en": "## Key points"},
    "keypoint.change": {
        "ja": "{measure}は{wave_a} {mean_a} → {wave_b} {mean_b}（{diff}、95%CI {ci}、効果量 {symbol} = {effect}、{size}）と{how}。",
        "en": "{measure} {how} from {mean_a} ({wave_a}) to {mean_b} ({wave_b}) ({diff}, 95% CI {ci}, "
              "effect size {symbol} = {effect}, {size}).",
    },
    "keypoint.unclear": {
        "ja": "{measure}は変化があったとは言えない（データ不足: {wave_a} {mean_a} → {wave_b} {mean_b}、差 {diff}、"
              "95%CI {ci} が0を含む）。",
        "en": "For {measure} a change could not be told apart from zero (too little evidence: {mean_a} ({wave_a}) "
              "→ {mean_b} ({wave_b}), difference {diff}, 95% CI {ci} includes 0).",
    },
    "keypoint.size.large": {"ja": "大", "en": "large"},
    "keypoint.size.medium": {"ja": "中", "en": "medium"},
    "keypoint.size.small": {"ja": "小", "en": "small"},
    "keypoint.size.negligible": {"ja": "ごく小さい", "en": "negligible"},
    "keypoint.up.large": {"ja": "大きく上がった", "en": "rose markedly"},
    "keypoint.up.medium": {"ja": "中程度に上がった", "en": "rose moderately"},
    "keypoint.up.small": {"ja": "小さく上がった", "en": "rose slightly"},
    "keypoint.up.negligible": {"ja": "上がったがごくわずかだった", "en": "rose, but negligibly,"},
    "keypoint.down.large": {"ja": "大きく下がった", "en": "fell markedly"},
    "keypoint.down.medium": {"ja": "中程度に下がった", "en": "fell moderately"},
    "keypoint.down.small": {"ja": "小さく下がった", "en": "fell slightly"},
    "keypoint.down.negligible": {"ja": "下がったがごくわずかだった", "en": "fell, but negligibly,"},
    "keypoint.for_whom": {
        "ja": "対象別では、{measure}の変化は{hi}（{hi_diff}）が{lo}（{lo_diff}）より大きかった。",
        "en": "By audience, {measure} changed more for {hi} ({hi_diff}) than for {lo} ({lo_diff}).",
    },
    "keypoint.hidden": {
        "ja": "{groups}は回答者が{min_cell}人未満のため、個人が特定されないよう数値を伏せた。",
        "en": "{groups}: fewer than {min_cell} respondents, so the numbers are hidden to protect individuals.",
    },
    "keypoint.levels": {
        "ja": "次の項目は1つの時点でのみ尋ねたため、変化ではなく水準を示す: {levels}。",
        "en": "These were asked in one wave only, so they are levels, not changes: {levels}.",
    },
    "keypoint.level_item": {"ja": "{measure}（{wave}）平均 {mean}（n = {n}）",
                            "en": "{measure} ({wave}) mean {mean} (n = {n})"},
    "keypoint.list_sep": {"ja": "、", "en": "; "},
    "glossary.heading": {"ja": "## 用語の説明", "en": "## Glossary"},
    "glossary.n": {"ja": "n: 分析に含めた人数（対応のある分析では照合できた人数）",
                   "en": "n: number of people analysed (linked pairs in a paired analysis)"},
    "glossary.m_sd": {"ja": "M (SD): 平均（標準偏差）", "en": "M (SD): mean (standard deviation)"},
    "glossary.diff": {"ja": "差: 後の時点の平均 − 前の時点の平均（正なら上がった）",
                      "en": "Difference: mean of the later wave minus the earlier one (positive: it rose)"},
    "glossary.ci95": {"ja": "95%CI: 95%信頼区間。0を含むとき、変化があったとは言えない",
                      "en": "95% CI: 95% confidence interval; when it includes 0 a change cannot be told apart from zero"},
    "glossary.t": {"ja": "t: t検定の統計量（構成概念）", "en": "t: t-test statistic (constructs)"},
    "glossary.V": {"ja": "V: Wilcoxonの符号付き順位検定の統計量（対応のある項目）",
                   "en": "V: Wilcoxon signed-rank statistic (paired items)"},
    "glossary.W": {"ja": "W: Mann–WhitneyのU検定の統計量（対応のない項目）",
                   "en": "W: Mann-Whitney statistic (independent items)"},
    "glossary.p": {"ja": "p: 変化がないと仮定したときに、これ以上の差が偶然に生じる確率",
                   "en": "p: probability of a difference at least this large by chance if nothing changed"},
    "glossary.holm": {"ja": "Holm調整: 同時に多くの検定を行うことによる偶然の有意を防ぐためのp値の補正",
                      "en": "Holm adjustment: a correction of p-values for running many tests at once"},
    "glossary.d_z": {"ja": "d_z: 対応のある差の効果量（差の平均を差の標準偏差で割った値）",
                     "en": "d_z: effect size of paired change (mean difference / SD of the differences)"},
    "glossary.g": {"ja": "g: 対応のない2群の効果量（Hedgesのg、小標本補正済みの標準化平均差）",
                   "en": "g: effect size of two independent groups (Hedges' g, small-sample corrected)"},
    "glossary.r_rb": {"ja": "r_rb: 順位双列相関（項目の効果量、−1〜1）",
                      "en": "r_rb: rank-biserial correlation (effect size of items, −1 to 1)"},
    "glossary.size": {"ja": "効果量の大きさ: Cohenの目安で d・d_z・g は 0.2 小、0.5 中、0.8 大、r は 0.1 小、0.3 中、0.5 大",
                      "en": "Effect size words: Cohen's benchmarks, for d, d_z and g 0.2 small, 0.5 medium, 0.8 "
                            "large; for r 0.1 small, 0.3 medium, 0.5 large"},
    "glossary.alpha": {"ja": "α: Cronbachのα（尺度の内的一貫性、0.7以上が目安）",
                       "en": "α: Cronbach's alpha (internal consistency of a scale; 0.7 or more is usual)"},
    "glossary.omega": {"ja": "ω: McDonaldのω（因子分析に基づく信頼性）",
                       "en": "ω: McDonald's omega (reliability from a factor model)"},
    "glossary.top2": {"ja": "肯定率: 上位2段階（例: ややそう思う・そう思う）を選んだ人の割合",
                      "en": "Top-2 share: share of answers in the two highest levels (e.g. agree, strongly agree)"},
    "glossary.min_cell": {"ja": "—: 回答者が{min_cell}人未満の群の数値は、個人が特定されないよう伏せた",
                          "en": "—: numbers of groups with fewer than {min_cell} respondents are hidden to protect individuals"},
    "keypoint.section": {"ja": "## 要点\n\n{points}", "en": "## Key points\n\n{points}"},
    "section.text": {"ja": "{text}", "en": "{text}"},
    "section.no_reaction": {
        "ja": "## 受講者の反応（レベル1）\n\nこの研修では満足度・有用性（反応）の設問に回答がないため、この節は示しません。",
        "en": "## Reaction (level 1)\n\nThis course has no answers to reaction questions (satisfaction, "
              "usefulness), so this section is left out.",
    },
    "section.no_changes.construct": {
        "ja": "事前・事後の両方に回答がある構成概念がないため、構成概念の変化の表は示しません。",
        "en": "No construct has answers in both waves, so the table of construct changes is left out.",
    },
    "section.no_changes.item": {
        "ja": "事前・事後の両方に回答がある項目がないため、項目の変化の表は示しません。",
        "en": "No item has answers in both waves, so the table of item changes is left out.",
    },
    "section.no_likert": {
        "ja": "事前・事後の評定項目に示せる回答がないため、回答分布の図は示しません。",
        "en": "There are no rating answers before or after the course to show, so the figure of answers is "
              "left out.",
    },
    "section.no_effects": {
        "ja": "効果量を示せる構成概念・項目がない（回答者が少ないか、1つの時点でのみ尋ねた）ため、効果量の図は示しません。",
        "en": "No construct or item has an effect size to show (too few respondents, or asked in one wave "
              "only), so the effect-size figure is left out.",
    },
    "narrative.result_level": {
        "ja": "{measure}は{wave}のみで尋ねたため、変化ではなく水準を示す（平均 {mean}、SD {sd}、n = {n}）。",
        "en": "{measure} was asked in the {wave} wave only, so it is a level, not a change (mean {mean}, "
              "SD {sd}, n = {n}).",
    },
    "narrative.later.lasting.title": {"ja": "追跡調査: 事前から追跡時点への変化（持続）",
                                      "en": "Follow-up: change from pre to follow-up (lasting change)"},
    "narrative.later.lasting.text": {
        "ja": "差は追跡−事前です。正であれば、研修前より高い状態が追跡時点まで続いていることを示します。",
        "en": "The difference is follow-up minus pre: positive means the level stayed above the pre level "
              "until the follow-up."},
    "narrative.later.lasting.caption": {"ja": "事前から追跡時点への構成概念の変化",
                                        "en": "Construct change from pre to follow-up"},
    "narrative.later.then_post.title": {"ja": "振り返り事前評価から事後への変化",
                                        "en": "Change from the retrospective pre-test to post"},
    "narrative.later.then_post.text": {
        "ja": "差は事後−振り返り事前です。研修後の同じ基準で測った変化で、レスポンスシフトの影響を受けにくい見積もりです。",
        "en": "The difference is post minus then-test: the change measured with the yardstick people held "
              "after the course, less affected by response shift."},
    "narrative.later.then_post.caption": {"ja": "振り返り事前評価から事後への構成概念の変化",
                                          "en": "Construct change from then-test to post"},
    "narrative.later.then_followup.title": {"ja": "振り返り事前評価から追跡時点への変化",
                                            "en": "Change from the retrospective pre-test to follow-up"},
    "narrative.later.then_followup.text": {
        "ja": "差は追跡−振り返り事前です。",
        "en": "The difference is follow-up minus then-test."},
    "narrative.later.then_followup.caption": {"ja": "振り返り事前評価から追跡時点への構成概念の変化",
                                              "en": "Construct change from then-test to follow-up"},
    "conclusion.lead": {"ja": "結論として、{k}個の構成概念のうち{parts}。",
                        "en": "In conclusion, of {k} constructs {parts}."},
    "conclusion.sep": {"ja": "、", "en": ", "},
    "conclusion.up": {"ja": "{n}個（{names}）は研修後に上がり", "en": "{n} rose after the course ({names})"},
    "conclusion.down": {"ja": "{n}個（{names}）は下がり", "en": "{n} fell ({names})"},
    "conclusion.unclear": {"ja": "{n}個（{names}）は変化があったとは言えなかった",
                           "en": "for {n} a change could not be told apart from zero ({names})"},
    "limits.heading": {"ja": "## 限界", "en": "## Limitations"},
    "limits.design": {
        "ja": "{courses}講座は無作為に割り付けられておらず、受講者・時期・内容が講座ごとに異なるため、講座間の差を講師や"
              "形式の効果と断定できない。",
        "en": "The {courses} courses were not randomised: participants, timing and content differ between courses, "
              "so differences cannot be attributed to instructors or formats with certainty.",
    },
    "limits.anonymous": {
        "ja": "回答者を照合できない講座（{courses}）は事前と事後を別々の集団として比較しており、変化には回答者の入れ替わりが含まれる。",
        "en": "Courses whose answers could not be linked ({courses}) compare pre and post as independent groups; "
              "their change includes who answered.",
    },
    "limits.lord": {
        "ja": "事前得点で調整したANCOVAと変化量の比較は、割付が無作為でないとき異なる結論を出し得る（Lordのパラドックス）。",
        "en": "ANCOVA on the pre score and gain scores can disagree when allocation is not random (Lord's paradox).",
    },
    "limits.response_shift": {
        "ja": "研修で評価の基準自体が変わる（レスポンスシフト）ため、事前・事後の差は変化を過小または過大に示し得る。",
        "en": "Training can change the yardstick respondents use (response shift), so pre/post differences can "
              "under- or overstate change.",
    },
    "limits.small": {
        "ja": "回答は計{n}件だが、最も小さい群は{smallest}で区間が広く、推定は参考値である。",
        "en": "There are {n} answers in all, but the smallest group has {smallest}: its intervals are "
              "wide and its estimates indicative.",
    },
    "limits.people": {"ja": "{n}人", "en": "{n} respondents"},
    "limits.large": {
        "ja": "回答は計{n}件あり、どの群も30人以上で区間は狭いが、わずかな差でも0と区別されるため、効果量の大きさで読む。",
        "en": "With {n} answers and every group of 30 or more, intervals are narrow and even small differences are "
              "told apart from zero: read the size of the effects.",
    },
    "limits.self_report": {"ja": "自己評価による測定であり、行動や成果の変化を直接測ったものではない。",
                           "en": "Measures are self-reports, not direct observations of behaviour or results."},
    "research.reaction": {"ja": "### 受講者の反応\n\n{items}。", "en": "### Reaction\n\n{items}."},
    "research.reaction_item": {"ja": "{measure}（{wave}）は平均 {mean}（SD {sd}、n = {n}、上位2段階 {top2}）",
                               "en": "{measure} ({wave}): mean {mean} (SD {sd}, n = {n}, top-2 share {top2})"},
    "research.no_reaction": {"ja": "### 受講者の反応\n\n反応（満足度・有用性）の設問に回答がないため示さない。",
                             "en": "### Reaction\n\nThere are no answers to reaction questions, so none are shown."},
    "research.comparison": {
        "ja": "### 講師・形式・スタイル・対象の比較\n\n{text}講座は無作為に割り付けられておらず、各要因の比較は"
              "少数の講座に基づくため、要因の絡み合いと講座ごとの調整済み変化は「講師・形式・スタイル・対象の比較」"
              "レポートで確かめる。下の表は講座ごとの変化である。",
        "en": "### Instructors, formats, styles and audiences\n\n{text} Courses were not randomised and each factor "
              "comparison rests on a few courses: the report comparing instructors, formats, styles and audiences "
              "shows which factors the courses tangle together and the adjusted change per course. The table "
              "below shows the change per course.",
    },
    "research.ancova_found": {
        "ja": "事後得点を事前得点で調整したANCOVA（HC3標準誤差、タイプIIのF検定）で差が0と区別できたのは、{items}。",
        "en": "In the ANCOVA of the post score adjusted for the pre score (HC3 errors, type II F tests), these "
              "differences were told apart from zero: {items}.",
    },
    "research.ancova_item": {"ja": "{construct}の{factor}（F = {f}、自由度 {df}、{p}）",
                             "en": "{construct} by {factor} (F = {f}, df {df}, {p})"},
    "research.ancova_none": {
        "ja": "事後得点を事前得点で調整したANCOVA（HC3標準誤差、タイプIIのF検定）では、{k}個の構成概念のどれについても"
              "講師・形式・スタイル・対象による差を0と区別できなかった。",
        "en": "In the ANCOVA of the post score adjusted for the pre score (HC3 errors, type II F tests), no difference "
              "between instructors, formats, styles or audiences was told apart from zero for any of the {k} "
              "constructs.",
    },
    "research.no_ancova": {
        "ja": "事前・事後を照合できた回答者がいない、または講座間で異なる要因がないため、ANCOVAによる比較は行えなかった。",
        "en": "The ANCOVA comparison could not be made: no respondents were linked before and after, or no factor "
              "differs between the courses.",
    },
    "40_research_report.cap_ancova": {"ja": "要因ごとのANCOVA（事前得点で調整、タイプII F検定）",
                                      "en": "ANCOVA per factor (adjusted for the pre score, type II F tests)"},
    "research.later": {"ja": "### {title}\n\n{text}", "en": "### {title}\n\n{text}"},
    "discussion.heading": {"ja": "## 考察\n\n{text}", "en": "## Discussion\n\n{text}"},
    "discussion.retention": {
        "ja": "事後から追跡時点にかけて下がった構成概念: {down}。上がった構成概念: {up}。変化があったとは言えない構成概念: "
              "{unclear}。研修直後の変化がどこまで保たれるかは、この区別で読む。",
        "en": "From post to follow-up these constructs fell: {down}; rose: {up}; could not be told apart from zero: "
              "{unclear}. Whether the change right after the course lasted is read from this.",
    },
    "discussion.response_shift": {
        "ja": "振り返り事前評価が事前の回答より低かった構成概念: {down}（研修で基準が上がり、事前・事後の差は変化を"
              "小さく見積もっている可能性がある）。高かった構成概念: {up}。区別できない構成概念: {unclear}。",
        "en": "The retrospective pre-test was lower than the pre answer for: {down} (the course raised the "
              "yardstick, so the pre/post difference may understate the change); higher for: {up}; "
              "not told apart from zero for: {unclear}.",
    },
    "discussion.design": {
        "ja": "講座は無作為に割り付けられていないため、これらの変化を研修だけの効果と断定することはできない。",
        "en": "Courses were not randomised, so these changes cannot be attributed to the training alone.",
    },
    "narrative.quotes_counted": {
        "ja": "{min_cell_text}人以上が記入した設問の自由記述 {n} 件（異なる記述 {kinds} 種類）を、個人情報をマスクして掲載します。"
              "時点・設問ごとに多い順の {shown} 種類を示し、全件は `tables/` にあります。",
        "en": "{n} free-text answers ({kinds} different texts) to questions answered by at least {min_cell_text} "
              "people, with personal details masked. The {shown} most frequent per wave and question are shown; "
              "the full list is in `tables/`.",
    },
    "col.top2_a": {"ja": "肯定率(A)", "en": "Top-2 share (A)"},
    "col.top2_b": {"ja": "肯定率(B)", "en": "Top-2 share (B)"},
    "col.p_exact": {"ja": "p値（正確な値）", "en": "p (exact)"},
    "col.sd_diff": {"ja": "差の標準偏差", "en": "SD of differences"},
    "col.n_up": {"ja": "上がった人数", "en": "Rose (n)"},
    "col.n_same": {"ja": "変わらなかった人数", "en": "Same (n)"},
    "col.n_down": {"ja": "下がった人数", "en": "Fell (n)"},
    "value.audience_total": {"ja": "全体", "en": "all"},
    "col.answer": {"ja": "回答", "en": "Answer"},
    "10_course_report.counts": {
        "ja": "## 行動・利用ツール・所属\n\n追跡調査の行動（はい/いいえ）、複数選択の設問、所属を対象別に数えました。"
              "割合は、その設問に回答した人に対する割合です。",
        "en": "## Behaviour, tools and departments\n\nFollow-up behaviour (yes/no), multi-select questions and "
              "the department, counted per audience. Shares are of the people who answered the question.",
    },
    "10_course_report.no_counts": {"ja": "この研修には、行動・複数選択・所属の回答がありません。",
                                   "en": "This course has no behaviour, multi-select or department answers."},
    "10_course_report.cap_behaviour": {"ja": "追跡調査の行動（「はい」と答えた人）", "en": "Follow-up behaviour (people answering yes)"},
    "10_course_report.cap_choices": {"ja": "複数選択の設問（選択した人）", "en": "Multi-select questions (people choosing)"},
    "10_course_report.cap_categories": {"ja": "所属など（最初の回答時点）", "en": "Department and other categories (first wave answered)"},
    "narrative.all_one_way": {"ja": "全員が同じ向きに変化したため区間は示さない",
                              "en": "every pair changed in the same direction, so no interval"},
    "narrative.caution_suppressed_some": {
        "ja": "{who}: {measures}は回答者が{min_cell}人未満のため、数値を表示していません。",
        "en": "{who}: {measures}: fewer than {min_cell} respondents, so these numbers are not shown.",
    },
    "col.followup": {"ja": "追跡 M (SD)", "en": "Follow-up M (SD)"},
    "col.then": {"ja": "振り返り事前 M (SD)", "en": "Then-test M (SD)"},

    # ------------------------------------------------------------------ index.html
    "index.title": {"ja": "研修評価レポート一覧", "en": "Training evaluation reports"},
    "index.report.00_validation": {"ja": "データ検証", "en": "Data validation"},
    "index.report.10_course_report": {"ja": "研修報告", "en": "Course report"},
    "index.report.20_comparison": {"ja": "講師・形式・スタイル・対象の比較",
                                   "en": "Instructors, formats, styles and audiences compared"},
    "index.report.25_free_text": {"ja": "自由記述の分析", "en": "Free-text comments"},
    "index.report.30_next_course": {"ja": "次の研修の計画", "en": "Planning the next course"},
    "index.report.40_research_report": {"ja": "調査報告（研究レポート）", "en": "Research report"},
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
    "index.input_errors": {
        "ja": "このレポートは入力データのエラー {n} 件を残したまま作成されました（--keep-going）。"
              "次のファイル・列のデータは含まれていません:",
        "en": "These reports were built with {n} input errors left in (--keep-going). The data of "
              "these files and columns is not in them:",
    },
    "index.name": {"ja": "名前", "en": "Name"},
    "index.value": {"ja": "値", "en": "Value"},

    # ------------------------------------------------------------------ CLI
    # ---- the command line's help (dxsurvey -h; dxsurvey COMMAND -h), in the --lang language
    "cli.help.usage": {"ja": "使い方: ", "en": "usage: "},
    "cli.help.positionals": {"ja": "引数", "en": "positional arguments"},
    "cli.help.options": {"ja": "オプション", "en": "options"},
    "cli.help.commands": {"ja": "コマンド", "en": "commands"},
    "cli.help.help": {"ja": "このヘルプを表示して終了", "en": "show this help message and exit"},
    "cli.help.version": {"ja": "バージョンを表示して終了", "en": "show the version and exit"},
    "cli.help.error": {"ja": "{prog}: エラー: {message}", "en": "{prog}: error: {message}"},
    "cli.help.run": {"ja": "レポートのノートブックを実行し、実行フォルダに結果を書き出す",
                     "en": "execute report notebooks into a run folder"},
    "cli.help.demo": {"ja": "同梱のデモ調査（data/demo）で全レポートを作成",
                      "en": "all reports on the shipped demo study (data/demo)"},
    "cli.help.audit": {"ja": "実行フォルダの個人情報チェック（見つかれば終了コード 1）",
                       "en": "privacy audit of a run folder (exit code 1 on findings)"},
    "cli.help.validate": {"ja": "調査フォルダを検証し、読みやすい要約を表示（エラーがあれば終了コード 1）",
                          "en": "check a study and print a readable summary (exit code 1 on errors)"},
    "cli.help.ingest": {"ja": "整形済みの表を Parquet で書き出す", "en": "write the tidy tables as Parquet"},
    "cli.help.init": {"ja": "説明付きのひな形の調査フォルダを作成", "en": "create a commented template study"},
    "cli.help.notebooks": {"ja": "all（既定）または次のいずれか: {names}", "en": "all (default) or any of: {names}"},
    "cli.help.study": {"ja": "調査フォルダ（survey.yaml、courses.csv、raw/）。既定 data/",
                       "en": "study folder (survey.yaml, courses.csv, raw/); default data/"},
    "cli.help.out_run": {"ja": "実行フォルダ。既定 reports/<日時>", "en": "run folder; default reports/<timestamp>"},
    "cli.help.out_demo": {"ja": "実行フォルダ。既定 reports/demo（置き換え）",
                          "en": "run folder; default reports/demo (replaced)"},
    "cli.help.out_ingest": {"ja": "出力フォルダ。既定 <調査フォルダ>/processed", "en": "folder; default <study>/processed"},
    "cli.help.parameter": {"ja": "ノートブックのパラメータ（繰り返し可）。例: -p min_cell 10",
                           "en": "notebook parameter (repeatable), e.g. -p min_cell 10"},
    "cli.help.pdf": {"ja": "各レポートの PDF（A4）も pdf/NAME.pdf に書き出す（ヘッドレス Chromium で印刷）",
                     "en": "also write pdf/NAME.pdf (A4) for each report, printed by headless Chromium"},
    "cli.help.no_figure_titles": {"ja": "figures/ の PNG・SVG に図番号つきの表題を入れない",
                                  "en": "leave the numbered title out of figures/*.png and *.svg"},
    "cli.help.jobs": {"ja": "同時に実行するノートブック数。既定: CPU 数", "en": "notebooks run at once; default: CPU count"},
    "cli.help.force": {"ja": "既存の実行フォルダを置き換える", "en": "replace an existing run folder"},
    "cli.help.quiet": {"ja": "進行状況を表示しない", "en": "no progress bar"},
    "cli.help.keep_going": {"ja": "入力にエラーがあってもレポートを作成する（index.html に一覧。終了コード 1）",
                            "en": "build the reports although the input has errors (index.html lists them; exit 1)"},
    "cli.help.run_dir": {"ja": "チェックする実行フォルダ", "en": "the run folder to check"},
    "cli.help.dir": {"ja": "作成するフォルダ（存在しないか空であること）", "en": "the folder to create (absent or empty)"},
    "cli.help.lang_run": {"ja": "レポートとメッセージの言語（既定: レポートは調査票の言語、メッセージは ja）",
                          "en": "report and message language (default: the codebook's for reports, ja for messages)"},
    "cli.help.lang_messages": {"ja": "メッセージの言語（既定 ja）", "en": "message language (default ja)"},
    "cli.help.lang_validate": {"ja": "要約の言語（既定: 調査票の言語）", "en": "summary language (default: the codebook's)"},
    "cli.help.lang_init": {"ja": "ひな形とメッセージの言語（既定 ja）", "en": "template and message language (default ja)"},
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
    "cli.pdf_no_chromium": {
        "ja": "PDFを作るにはChromiumが必要です。インストールしてください（Debian/Ubuntu: sudo apt-get install chromium）。",
        "en": "Writing PDFs needs Chromium; install it (Debian/Ubuntu: sudo apt-get install chromium).",
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
    "cli.input_errors": {
        "ja": "入力データにエラーが {n} 件あります（上記）。レポートは作成していません。直してから実行してください"
              "（詳細は dxsurvey validate）。エラーを残したまま作成するには --keep-going を付けます。",
        "en": "The input has {n} errors (above). No report was built. Fix them and run again (details: "
              "dxsurvey validate); --keep-going builds the reports with the errors left in.",
    },
    "cli.kept_going": {
        "ja": "入力データのエラー {n} 件（上記）を残したまま作成しました（--keep-going）。"
              "エラーのあるファイル・列のデータはレポートに含まれていません。",
        "en": "Built with {n} input errors (above) left in (--keep-going); the data of the files and "
              "columns in error is not in the reports.",
    },
    "cli.ingest_errors": {
        "ja": "入力データにエラーが {n} 件あります（上記）。表は書き出しましたが、エラーのあるファイル・列の"
              "データは含まれていません。",
        "en": "The input has {n} errors (above). The tables were written without the data of the files "
              "and columns in error.",
    },
    "cli.out_in_raw": {
        "ja": "{path} は調査フォルダの raw/ の中です（シンボリックリンクをたどった先を含む）。raw/ には何も"
              "書き込みません。別の出力フォルダを指定してください。",
        "en": "{path} is inside the study's raw/ folder (symbolic links followed). Nothing is ever written "
              "to raw/: choose another output folder.",
    },
    "cli.study_read_only": {
        "ja": "調査フォルダ {path} に書き込めません。初回は回答者コードを鍵付きハッシュにするための秘密鍵"
              "（{key_file}）をここに作る必要があります。一度だけフォルダを書き込み可能にするか、"
              "書き込める場所に調査フォルダをコピーしてから実行してください。",
        "en": "The study folder {path} cannot be written, and its {key_file} (the secret that turns "
              "respondent codes into keys) does not exist yet. Make the folder writable once, or copy "
              "the study to a writable place, and run again.",
    },
    "cli.run_lost": {
        "ja": "実行中に別の実行が出力フォルダ {path} を作成しました。この実行の結果は破棄しました。"
              "置き換えるには --force を付けて再実行するか、別の --out を指定してください。",
        "en": "Another run created the run folder {path} while this one ran; this run's reports were "
              "discarded. Run again with --force to replace it, or choose another --out.",
    },
    "cli.interrupted": {
        "ja": "中断しました。途中の出力（*.partial-*）は完成したレポートではありません。",
        "en": "Interrupted. The partial output (*.partial-*) is not a finished run.",
    },
    "cli.not_run_folder": {
        "ja": "{path} は dxsurvey の出力フォルダではない（run.json がない）ため、上書きしません。別の --out を指定してください。",
        "en": "{path} is not a dxsurvey run folder (no run.json); it is not replaced. Choose another --out.",
    },
}


# ---------------------------------------------------------------------- 25_free_text (own block)
TEXTS.update({
    "25_free_text.title": {
        "ja": "# 自由記述の分析\n\n調査: {survey}。KH Coder と同じ手法（語の抽出、特徴語、KWIC、共起ネットワーク、"
              "対応分析、コーディング）で、選択式の設問では分からない声を数えます。",
        "en": "# Free-text comments\n\nSurvey: {survey}. The methods of KH Coder (word extraction, distinctive "
              "words, KWIC, co-occurrence network, correspondence analysis, coding) count what the tick boxes miss.",
    },
    "25_free_text.skip_no_comments": {
        "ja": "自由記述の回答がないため、この節は省略します。",
        "en": "There are no comments, so this section is skipped.",
    },
    "25_free_text.h_n": {"ja": "## 分析に使った記述", "en": "## Comments analysed"},
    "25_free_text.n_sentence": {
        "ja": "回答{n_submissions}件のうち、自由記述のある{n_used}件を分析しました（空欄{n_blank}件、"
              "個人情報のマスクだけが残った{n_masked}件を除外）。1回の回答の記述を1文書として数えます。",
        "en": "Of {n_submissions} submissions, the {n_used} with a comment were analysed (excluded: {n_blank} "
              "blank, {n_masked} holding masked personal data only). One submission's comment is one document.",
    },
    "25_free_text.cap_n": {"ja": "時点別の分析対象", "en": "Documents analysed per wave"},
    "25_free_text.key_points": {"ja": "## 要点\n\n{points}", "en": "## Key points\n\n{points}"},
    "25_free_text.kp_group": {
        "ja": "「{group}」で最も特徴的な語は「{word}」です（{n_docs}件中{documents}件、調整済み残差 {residual}）。",
        "en": "The most distinctive word of \u201c{group}\u201d is \u201c{word}\u201d ({documents} of {n_docs} "
              "comments, adjusted residual {residual}).",
    },
    "25_free_text.kp_change_up": {
        "ja": "{wave_a}から{wave_b}にかけて最も大きく増えた語は「{word}」です（{share_a}→{share_b}、Holm調整済み {p}）。",
        "en": "From {wave_a} to {wave_b}, \u201c{word}\u201d rose most ({share_a} to {share_b}, Holm-adjusted "
              "{p}).",
    },
    "25_free_text.kp_change_down": {
        "ja": "{wave_a}から{wave_b}にかけて最も大きく減った語は「{word}」です（{share_a}→{share_b}、Holm調整済み {p}）。",
        "en": "From {wave_a} to {wave_b}, \u201c{word}\u201d fell most ({share_a} to {share_b}, Holm-adjusted "
              "{p}).",
    },
    "25_free_text.kp_change_none": {
        "ja": "{wave_a}と{wave_b}で、使われる割合がHolm調整後に有意に変わった語はありません（{n_words}語を検定）。",
        "en": "No word's share changed significantly from {wave_a} to {wave_b} after Holm's adjustment "
              "({n_words} words tested).",
    },
    "25_free_text.h_frequent": {
        "ja": "## 時点別の頻出語\n\n各時点で多くの人が使った語です（助詞・助動詞など KH Coder が既定で除く品詞は除外）。",
        "en": "## Frequent words per wave\n\nThe words most people used in each wave (the word classes KH Coder "
              "leaves out by default, such as particles, are excluded).",
    },
    "25_free_text.cap_frequent": {"ja": "時点別の頻出語（上位{top}語）　{n_note}",
                                  "en": "Frequent words per wave (top {top}); {n_note}"},
    "25_free_text.n_note": {
        "ja": "N = {n}（除外: 空欄 {blank}、マスクのみ {masked}）",
        "en": "N = {n} (excluded: {blank} blank, {masked} masked only)",
    },
    "25_free_text.n_note_quotes": {
        "ja": "N = {n}（除外: 空欄 {blank}、マスクのみ {masked}、記述者が{min_cell_text}人未満のグループ {below}）",
        "en": "N = {n} (excluded: {blank} blank, {masked} masked only, {below} in groups with fewer than "
              "{min_cell_text} writers)",
    },
    "25_free_text.h_group_words": {
        "ja": "## 対象・形式・講師・研修別の頻出語\n\n対象、研修形式、講師、研修ごとに、多くの人が使った語です"
              "（記述者が少ないグループは表示しません）。",
        "en": "## Frequent words per audience, format, instructor and course\n\nThe words most people used in "
              "each group (groups with few writers are not shown).",
    },
    "25_free_text.cap_group_words": {
        "ja": "グループ別の頻出語（上位{top}語）　{n_note}",
        "en": "Frequent words per group (top {top}); {n_note}",
    },
    "25_free_text.by.audience": {"ja": "対象", "en": "audience"},
    "25_free_text.by.format": {"ja": "研修形式", "en": "format"},
    "25_free_text.by.instructor": {"ja": "講師", "en": "instructor"},
    "25_free_text.by.course_id": {"ja": "研修", "en": "course"},
    "25_free_text.fig_frequent": {
        "ja": "時点別の頻出語（記述した人に占める割合）", "en": "Frequent words per wave (share of comments)",
    },
    "25_free_text.h_distinctive": {
        "ja": "## グループ別の特徴語\n\nあるグループが他のグループより多く使った語を、調整済み残差の大きい順に示します"
              "（{min_df}件以上の記述で使われた語）。",
        "en": "## Distinctive words per group\n\nThe words a group used more than the other groups, by adjusted "
              "residual (words in at least {min_df} comments of the group).",
    },
    "25_free_text.cap_distinctive": {
        "ja": "{grouping}別の特徴語（上位{top}語）　{n_note}",
        "en": "Distinctive words by {grouping} (top {top}); {n_note}",
    },
    "25_free_text.grouping.audience_wave": {"ja": "対象×時点", "en": "audience × wave"},
    "25_free_text.grouping.format_wave": {"ja": "形式×時点", "en": "format × wave"},
    "25_free_text.grouping.style_wave": {"ja": "研修スタイル×時点", "en": "style × wave"},
    "25_free_text.h_change": {
        "ja": "## {wave_a}から{wave_b}への変化\n\n語を使った記述の割合を時点間で比べ、語ごとに検定しました"
              "（期待度数が5未満ならFisherの正確検定、それ以外はχ²検定。p値はHolm法で調整）。",
        "en": "## Change from {wave_a} to {wave_b}\n\nThe share of comments using each word, compared between "
              "the waves and tested per word (Fisher's exact test where an expected count is under 5, else "
              "chi-squared; p-values adjusted by Holm's method).",
    },
    "25_free_text.cap_change": {
        "ja": "{wave_a}→{wave_b}で割合が変わった語（p値の小さい順、上位{top}語）　{n_note}",
        "en": "Words whose share changed from {wave_a} to {wave_b} (smallest p first, top {top}); {n_note}",
    },
    "25_free_text.skip_change": {
        "ja": "{wave_a}と{wave_b}の両方の記述がないため、この節は省略します。",
        "en": "There are no comments in both {wave_a} and {wave_b}, so this section is skipped.",
    },
    "25_free_text.h_kwic": {
        "ja": "## KWIC（語の前後の文脈）\n\n頻出語が使われた箇所を前後{width}文字とともに示します。"
              "記述者が{min_cell_text}人以上の研修×時点の記述だけを引用します。各KWICの後の表は、その語の前後5語以内に"
              "現れた語とスコア（KH Coder のコロケーション統計: 距離 i の出現数を i で割って合計）です。",
        "en": "## KWIC (words in context)\n\nWhere the frequent words were used, with {width} characters on "
              "each side. Only comments of a course and wave with at least {min_cell_text} writers are quoted. "
              "The table after each KWIC lists the words within 5 words of it with their score (KH Coder's "
              "collocation statistic: the count at distance i divided by i, summed).",
    },
    "25_free_text.cap_kwic": {"ja": "「{word}」のKWIC（最大{n}行）　{n_note}",
                              "en": "KWIC of \u201c{word}\u201d (up to {n} lines); {n_note}"},
    "25_free_text.cap_collocations": {
        "ja": "「{word}」のコロケーション（スコア上位{top}語）　{n_note}",
        "en": "Collocations of \u201c{word}\u201d (top {top} by score); {n_note}",
    },
    "25_free_text.skip_kwic": {
        "ja": "記述者が{min_cell_text}人以上の研修×時点がないため、引用は省略します。",
        "en": "No course and wave has {min_cell_text} or more writers, so no context is quoted.",
    },
    "25_free_text.h_network": {
        "ja": "## 共起ネットワーク\n\n同じ記述に一緒に現れやすい語を線で結びます（Jaccard係数の強い上位{top_edges}本）。"
              "円の大きさは出現数、色はまとまり（コミュニティ）です。",
        "en": "## Co-occurrence network\n\nWords that tend to appear in the same comment are joined (the "
              "{top_edges} strongest Jaccard coefficients). Circle size is frequency; colour is the community.",
    },
    "25_free_text.fig_network": {"ja": "共起ネットワーク（全時点）", "en": "Co-occurrence network (all waves)"},
    "25_free_text.h_change_network": {
        "ja": "{wave_a}と{wave_b}のネットワークを同じ基準（Jaccard係数 {min_coef} 以上）で並べて描き、"
              "続いて両方を1つの図にまとめて線の色で時点を示します（語の位置は3つの図で同じです）。",
        "en": "The {wave_a} and {wave_b} networks at one threshold (Jaccard coefficient {min_coef} or more) side "
              "by side, then both in one drawing with the edge colour showing the wave (a word stands in the "
              "same place in all three).",
    },
    "25_free_text.fig_wave_networks": {
        "ja": "{wave_a}と{wave_b}の共起ネットワーク（Jaccard係数 {min_coef} 以上）",
        "en": "Co-occurrence networks of {wave_a} and {wave_b} (Jaccard coefficient {min_coef} or more)",
    },
    "25_free_text.fig_change_network": {
        "ja": "{wave_a}と{wave_b}の共起ネットワーク（線の色 = 時点）",
        "en": "Co-occurrence network of {wave_a} and {wave_b} (edge colour = wave)",
    },
    "25_free_text.skip_network": {
        "ja": "2件以上の記述に現れる語の組がないため、ネットワークは省略します。",
        "en": "No pair of words appears together in two or more comments, so the network is skipped.",
    },
    "25_free_text.h_ca": {
        "ja": "## 対応分析\n\n{grouping}のグループと、グループ間で差の大きい語（χ²の大きい上位{n_words}語）を同じ図に置きます。"
              "近くにある語ほど、そのグループで多く使われています（記述者が{min_cell}人以上のグループ）。",
        "en": "## Correspondence analysis\n\nThe groups of {grouping} and the words that differ most between them "
              "(the {n_words} with the largest chi-squared) in one map: a word near a group is used more there "
              "(groups with at least {min_cell} writers).",
    },
    "25_free_text.fig_ca": {"ja": "対応分析（{grouping}）", "en": "Correspondence analysis ({grouping})"},
    "25_free_text.skip_ca": {
        "ja": "記述者が{min_cell}人以上のグループが3つ未満のため、対応分析は省略します。",
        "en": "Fewer than three groups have {min_cell} or more writers, so the correspondence analysis is skipped.",
    },
    "25_free_text.h_codes": {
        "ja": "## コーディング\n\nコーディングルール（{file}）で記述にコードを付け、グループ別に数えました。"
              "調整済み残差が +1.96 を超えるグループはそのコードが多く、−1.96 を下回るグループは少ない（5%水準）ことを示します。",
        "en": "## Coding\n\nThe coding rules ({file}) give each comment its codes, counted per group. An "
              "adjusted residual above +1.96 means the group has the code more often than the others, below "
              "-1.96 less often (5% level).",
    },
    "25_free_text.skip_no_rules": {
        "ja": "survey.yaml に coding_rules（コーディングルールのファイル）がないため、この節は省略します。",
        "en": "survey.yaml names no coding_rules file, so this section is skipped.",
    },
    "25_free_text.cap_codes": {"ja": "{grouping}別のコード　{n_note}", "en": "Codes by {grouping}; {n_note}"},
    "25_free_text.cap_code_tests": {
        "ja": "コードごとの{grouping}間の検定（χ²検定、2×2表のみYatesの補正。期待度数5未満はFisherの正確検定）　{n_note}",
        "en": "Test of each code across {grouping} (chi-squared, Yates' correction for 2 x 2 tables only; "
              "Fisher's exact test where an expected count is under 5); {n_note}",
    },
    "25_free_text.fig_codes": {
        "ja": "{grouping}別のコードの調整済み残差", "en": "Adjusted residuals of the codes by {grouping}",
    },
    "25_free_text.h_quotes": {
        "ja": "### コード別の記述例\n\n記述者が{min_cell_text}人以上のグループの記述だけを、個人情報をマスクして引用します"
              "（同じ記述は件数でまとめます）。",
        "en": "### Comments per code\n\nOnly comments of groups with at least {min_cell_text} writers are quoted, "
              "masked (identical comments are counted once with their count).",
    },
    "25_free_text.cap_quotes": {"ja": "「{code}」の記述例　{n_note}", "en": "Comments coded \u201c{code}\u201d; {n_note}"},
    "25_free_text.skip_quotes": {
        "ja": "記述者が{min_cell_text}人以上のグループにこのコードの記述がないため、引用はありません。",
        "en": "No group with {min_cell_text} or more writers has a comment with this code, so none is quoted.",
    },
    "25_free_text.glossary": {
        "ja": "## 用語\n\n- **Jaccard係数**: 2つの語の両方を含む記述の数を、どちらかを含む記述の数で割った値（0〜1）。"
              "共起ネットワークの線の強さです。\n"
              "- **調整済み残差**: あるグループの件数が、グループ間に差がない場合の期待値からどれだけ離れているかを"
              "標準化した値。±1.96 を超えると5%水準で偏りがあります。\n"
              "- **KWIC**: 語を、それが使われた前後の文脈とともに並べた一覧です（キーワード・イン・コンテキスト）。\n"
              "- **対応分析**: 語とグループの表を2次元の図にまとめる方法。近くに置かれた語とグループは結びつきが強いことを示します。\n"
              "- **コロケーションのスコア**: ある語の前後 i 語目に現れた回数を i で割り、前後5語まで合計した値。"
              "すぐ隣に現れる語ほど大きくなります。",
        "en": "## Glossary\n\n- **Jaccard coefficient**: comments containing both words divided by comments "
              "containing either (0 to 1); the strength of a network edge.\n"
              "- **Adjusted residual**: how far a group's count is from what equal use across groups would give, "
              "standardised; beyond +/-1.96 the group differs at the 5% level.\n"
              "- **KWIC**: Key Word In Context, a list of a word's uses with the text around them.\n"
              "- **Correspondence analysis**: a map of a words-by-groups table in two dimensions; words and "
              "groups close together go together.\n"
              "- **Collocation score**: the times a word stands i words before or after the keyword, divided by "
              "i and summed up to 5 words on each side; words right beside it weigh most.",
    },
    # figure labels (dxsurvey.freetext.plots.LABEL_KEYS)
    "25_free_text.fig.residual": {"ja": "調整済み残差", "en": "Adjusted residual"},
    "25_free_text.fig.both": {"ja": "両方", "en": "both"},
    "25_free_text.fig.dim": {"ja": "成分{k}（{share:.1%}）", "en": "Dimension {k} ({share:.1%})"},
    "25_free_text.fig.code": {"ja": "コード", "en": "Code"},
    "25_free_text.fig.group": {"ja": "グループ", "en": "Group"},
    "25_free_text.fig.share": {"ja": "記述した人に占める割合（%）", "en": "Share of comments (%)"},
    "25_free_text.fig.n": {
        "ja": "N = {n}（除外: 空欄 {blank}, マスクのみ {masked}）",
        "en": "N = {n} (excluded: blank {blank}, masked only {masked})",
    },
    "25_free_text.fig.n_small": {
        "ja": "N = {n}（除外: 空欄 {blank}, マスクのみ {masked}, 少人数のグループ {small}）",
        "en": "N = {n} (excluded: blank {blank}, masked only {masked}, small groups {small})",
    },
    # column headers of the free-text tables
    "col.word": {"ja": "語", "en": "Word"},
    "col.search_word": {"ja": "検索語", "en": "Search word"},
    "col.kh_pos": {"ja": "品詞", "en": "Word class"},
    "col.rank": {"ja": "順位", "en": "Rank"},
    "col.documents": {"ja": "出現文書数", "en": "Documents"},
    "col.n_docs": {"ja": "記述数", "en": "Comments"},
    "col.share_rest": {"ja": "割合（他のグループ）", "en": "Share (other groups)"},
    "col.residual": {"ja": "調整済み残差", "en": "Adjusted residual"},
    "col.docs_a": {"ja": "出現文書数(A)", "en": "Documents (A)"},
    "col.docs_b": {"ja": "出現文書数(B)", "en": "Documents (B)"},
    "col.share_a": {"ja": "割合(A)", "en": "Share (A)"},
    "col.share_b": {"ja": "割合(B)", "en": "Share (B)"},
    "col.code": {"ja": "コード", "en": "Code"},
    "col.coded": {"ja": "該当文書数", "en": "Coded"},
    "col.n_group": {"ja": "グループの記述数", "en": "Comments in group"},
    "col.left": {"ja": "前の文脈", "en": "Left context"},
    "col.keyword": {"ja": "語", "en": "Keyword"},
    "col.right": {"ja": "後の文脈", "en": "Right context"},
    "col.n_submissions": {"ja": "回答数", "en": "Submissions"},
    "col.n_used": {"ja": "分析した記述数", "en": "Comments analysed"},
    "col.n_excluded": {"ja": "除外（空欄・マスクのみ）", "en": "Excluded (blank, masked only)"},
    "col.left_count": {"ja": "左", "en": "Left"},
    "col.right_count": {"ja": "右", "en": "Right"},
    "col.total": {"ja": "合計", "en": "Total"},
    "col.score": {"ja": "スコア", "en": "Score"},
    "col.dof": {"ja": "自由度", "en": "df"},
    # the code's comments over all groups (a count of people, suppressed); "coded" (one group's) is a value
    "col.n_coded": {"ja": "該当文書数（全グループ）", "en": "Coded (all groups)"},
    # tests and KH Coder's word classes (品詞) as shown in the free-text tables
    "value.test.chi2": {"ja": "χ²検定", "en": "chi-squared"},
    "value.test.fisher": {"ja": "Fisherの正確検定", "en": "Fisher's exact"},
    "value.test.none": {"ja": "検定なし", "en": "not tested"},
    "value.kh_pos.名詞": {"ja": "名詞", "en": "noun"},
    "value.kh_pos.サ変名詞": {"ja": "サ変名詞", "en": "verbal noun"},
    "value.kh_pos.形容動詞": {"ja": "形容動詞", "en": "adjectival noun"},
    "value.kh_pos.固有名詞": {"ja": "固有名詞", "en": "proper noun"},
    "value.kh_pos.組織名": {"ja": "組織名", "en": "organisation"},
    "value.kh_pos.人名": {"ja": "人名", "en": "person name"},
    "value.kh_pos.地名": {"ja": "地名", "en": "place name"},
    "value.kh_pos.ナイ形容": {"ja": "ナイ形容", "en": "nai-adjective"},
    "value.kh_pos.副詞可能": {"ja": "副詞可能", "en": "adverbial noun"},
    "value.kh_pos.未知語": {"ja": "未知語", "en": "unknown word"},
    "value.kh_pos.感動詞": {"ja": "感動詞", "en": "interjection"},
    "value.kh_pos.タグ": {"ja": "タグ", "en": "tag (forced word)"},
    "value.kh_pos.動詞": {"ja": "動詞", "en": "verb"},
    "value.kh_pos.形容詞": {"ja": "形容詞", "en": "adjective"},
    "value.kh_pos.副詞": {"ja": "副詞", "en": "adverb"},
    "value.kh_pos.代名詞": {"ja": "代名詞", "en": "pronoun"},
    "value.kh_pos.名詞B": {"ja": "名詞B", "en": "noun B (hiragana)"},
    "value.kh_pos.動詞B": {"ja": "動詞B", "en": "verb B (hiragana)"},
    "value.kh_pos.形容詞B": {"ja": "形容詞B", "en": "adjective B (hiragana)"},
    "value.kh_pos.副詞B": {"ja": "副詞B", "en": "adverb B (hiragana)"},
    "value.kh_pos.名詞C": {"ja": "名詞C", "en": "noun C (one character)"},
    "value.kh_pos.否定助動詞": {"ja": "否定助動詞", "en": "negative auxiliary"},
    "value.kh_pos.形容詞（非自立）": {"ja": "形容詞（非自立）", "en": "adjective (dependent)"},
    "value.kh_pos.その他": {"ja": "その他", "en": "other"},
    "value.kh_pos.word": {"ja": "語", "en": "word"},
})

def check_language(language: str) -> str:
    """``language`` if the catalogue has it, else ValueError."""
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
    check_language(language)
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
    check_language(language)
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
