"""Coding rules in KH Coder's syntax, codes per document, cross-tabulation by group, quotes.

A coding-rule file::

    # comments start with '#'
    *時間不足
    時間 and (ない or 足りる or 不足)
    *質問のしにくさ
    seq(質問-しづらい) or seq(質問-にくい) or near(質問-難しい)[5]
    *業務見直し
    業務+見直し or 見直す or <*時間不足>

Elements: ``*name`` starts a code (its condition is the following lines up to the next
``*``, joined); a word (any of its forms: dictionary, normalised, as written; ``word-->品詞``
restricts it to a KH Coder class); ``and``, ``or``, ``not`` (``not`` binds tightest, then
``and``, then ``or``); parentheses; ``A+B`` a phrase of consecutive tokens; ``seq(A-B)[n]`` A
then B, each within n tokens of the previous (default 10); ``near(A-B)[n]`` A and B within n
tokens in either order (default 10); ``<*name>`` a code defined above.  Distances count every
token, particles included, inside one document.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..privacy import _decode_file, quotes_allowed
from .contingency import adjusted_residuals, expected, table_test
from .counts import _by_list, _check_by
from .documents import stamp
from .tokens import KH_CLASSES, nfkc

__all__ = ["RuleError", "CodeRule", "parse_rules", "read_rules", "code_documents", "CodeTable", "code_crosstab",
           "code_quotes", "DEFAULT_DISTANCE"]

#: Default distance of ``seq`` and ``near`` (tokens).
DEFAULT_DISTANCE = 10


class RuleError(ValueError):
    """A coding-rule file that cannot be read; the message names the file and line."""


# --------------------------------------------------------------------------
# syntax tree
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    text: str
    pos: str | None = None


@dataclass(frozen=True)
class Phrase:
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Seq:
    terms: tuple[Term, ...]
    dist: int


@dataclass(frozen=True)
class Near:
    terms: tuple[Term, ...]
    dist: int


@dataclass(frozen=True)
class CodeRef:
    name: str


@dataclass(frozen=True)
class Not:
    arg: object


@dataclass(frozen=True)
class BoolOp:
    op: str          # "and" | "or"
    args: tuple


@dataclass(frozen=True)
class CodeRule:
    """One code: ``name``, its parsed condition ``expr``, the ``source`` text and ``line``."""

    name: str
    expr: object
    source: str
    line: int


_SPACE = " \t\u3000"
_FUNC_RE = re.compile(r"(seq|near)\(([^()]*)\)(?:\[([^\]]*)\])?", re.IGNORECASE)


def _term(raw: str, where: str) -> Term:
    raw = nfkc(raw).strip()
    if "-->" in raw:
        text, pos = raw.split("-->", 1)
        if pos not in KH_CLASSES:
            raise RuleError(f"{where}: unknown word class {pos!r} in {raw!r}; use one of {', '.join(KH_CLASSES)}")
        if not text:
            raise RuleError(f"{where}: no word before '-->' in {raw!r}")
        return Term(text, pos)
    if not raw:
        raise RuleError(f"{where}: an empty word")
    return Term(raw)


def _lex(cond: str, where: str) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    i = 0
    while i < len(cond):
        ch = cond[i]
        if ch in _SPACE:
            i += 1
            continue
        m = _FUNC_RE.match(cond, i)
        if m:
            kind = m.group(1).lower()
            parts = [p for p in m.group(2).split("-")]
            if len(parts) < 2 or any(not p.strip() for p in parts):
                raise RuleError(f"{where}: {m.group(0)!r} needs two or more words joined by '-', like {kind}(A-B)")
            dist = DEFAULT_DISTANCE
            if m.group(3) is not None:
                if not m.group(3).strip().isdigit() or int(m.group(3)) < 1:
                    raise RuleError(f"{where}: {m.group(0)!r}: the distance in [...] must be a positive whole "
                                    f"number of words")
                dist = int(m.group(3))
            terms = tuple(_term(p, where) for p in parts)
            out.append(("atom", (Seq if kind == "seq" else Near)(terms, dist)))
            i = m.end()
            continue
        if ch in "()（）":
            out.append(("(" if ch in "(（" else ")", ch))
            i += 1
            continue
        if cond.startswith("<*", i):
            j = cond.find(">", i)
            if j < 0:
                raise RuleError(f"{where}: '<*' without a closing '>'")
            out.append(("atom", CodeRef(nfkc(cond[i + 2:j]).strip())))
            i = j + 1
            continue
        j = i
        while j < len(cond) and cond[j] not in _SPACE and cond[j] not in "()（）":
            j += 1
        word = cond[i:j]
        low = word.lower()
        if low in ("and", "or", "not"):
            out.append((low, low))
        elif "+" in word:
            parts = word.split("+")
            if any(not p.strip() for p in parts):
                raise RuleError(f"{where}: phrase {word!r} has an empty part; write A+B")
            out.append(("atom", Phrase(tuple(_term(p, where) for p in parts))))
        else:
            out.append(("atom", _term(word, where)))
        i = j
    return out


class _Parser:
    def __init__(self, toks, where):
        self.toks, self.i, self.where = toks, 0, where

    def peek(self):
        return self.toks[self.i][0] if self.i < len(self.toks) else None

    def take(self):
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self):
        if not self.toks:
            raise RuleError(f"{self.where}: the code has no condition")
        expr = self.or_()
        if self.i < len(self.toks):
            kind, val = self.toks[self.i]
            if kind == ")":
                raise RuleError(f"{self.where}: a ')' without its '('")
            raise RuleError(f"{self.where}: 'and' or 'or' missing before {_show(val)!r}")
        return expr

    def or_(self):
        args = [self.and_()]
        while self.peek() == "or":
            self.take()
            args.append(self.and_())
        return args[0] if len(args) == 1 else BoolOp("or", tuple(args))

    def and_(self):
        args = [self.not_()]
        while self.peek() == "and":
            self.take()
            args.append(self.not_())
        return args[0] if len(args) == 1 else BoolOp("and", tuple(args))

    def not_(self):
        if self.peek() == "not":
            self.take()
            return Not(self.not_())
        return self.atom()

    def atom(self):
        kind = self.peek()
        if kind is None:
            raise RuleError(f"{self.where}: the condition ends where a word was expected")
        if kind == "(":
            self.take()
            expr = self.or_()
            if self.peek() != ")":
                raise RuleError(f"{self.where}: a '(' is not closed")
            self.take()
            return expr
        if kind == "atom":
            return self.take()[1]
        raise RuleError(f"{self.where}: a word was expected, found {self.toks[self.i][1]!r}")


def _show(val) -> str:
    if isinstance(val, Term):
        return val.text
    if isinstance(val, Phrase):
        return "+".join(t.text for t in val.terms)
    return str(val)


def _refs(expr) -> list[str]:
    if isinstance(expr, CodeRef):
        return [expr.name]
    if isinstance(expr, Not):
        return _refs(expr.arg)
    if isinstance(expr, BoolOp):
        return [n for a in expr.args for n in _refs(a)]
    return []


def parse_rules(text: str, *, source: str = "<rules>") -> list[CodeRule]:
    """Parse coding rules written in KH Coder's syntax (see the module docstring).

    Parameters
    ----------
    text : str
        The rules.
    source : str
        The file name used in error messages.

    Returns
    -------
    list of CodeRule
        In file order.

    Raises
    ------
    RuleError
        Naming ``source`` and the line: a condition before the first ``*code``, a code
        without a condition, a duplicate code name, unbalanced parentheses, a missing
        ``and``/``or``, a bad ``seq``/``near``, an unknown word class, a reference to a code
        not defined above.
    """
    rules: list[CodeRule] = []
    current: list | None = None     # [name, line, [(lineno, text), ...]]
    blocks = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        s = line.strip(_SPACE + "\ufeff\r")
        if not s or s.startswith("#"):
            continue
        if s.startswith("*") or s.startswith("＊"):
            name = nfkc(s[1:]).strip()
            if not name:
                raise RuleError(f"{source}, line {lineno}: a '*' line needs a code name, like *時間不足")
            current = [name, lineno, []]
            blocks.append(current)
            continue
        if current is None:
            raise RuleError(f"{source}, line {lineno}: a condition before the first code; start a code with "
                            f"a line like *時間不足")
        current[2].append((lineno, s))
    seen: dict[str, int] = {}
    for name, lineno, lines in blocks:
        if name in seen:
            raise RuleError(f"{source}, line {lineno}: code *{name} is already defined on line {seen[name]}")
        if not lines:
            raise RuleError(f"{source}, line {lineno}: code *{name} has no condition")
        first = lines[0][0]
        last = lines[-1][0]
        where = f"{source}, line {first}" if first == last else f"{source}, lines {first}-{last}"
        cond = " ".join(s for _, s in lines)
        expr = _Parser(_lex(cond, where), where).parse()
        for ref in _refs(expr):
            if ref not in seen:
                raise RuleError(f"{where}: <*{ref}> refers to a code not defined above *{name}")
        seen[name] = lineno
        rules.append(CodeRule(name, expr, cond, first))
    if not rules:
        raise RuleError(f"{source}: no code found; a code starts with a line like *時間不足")
    return rules


def read_rules(path) -> list[CodeRule]:
    """:func:`parse_rules` of a file in UTF-8 (with or without BOM) or CP932."""
    path = Path(path)
    if not path.is_file():
        raise RuleError(f"{path}: coding-rule file not found")
    try:
        text = _decode_file(path, "save the coding rules as UTF-8")
    except ValueError as exc:
        raise RuleError(str(exc)) from None
    return parse_rules(text, source=str(path))


# --------------------------------------------------------------------------
# evaluation
# --------------------------------------------------------------------------
class _Evaluator:
    def __init__(self, tokens: pd.DataFrame, doc_ids: pd.Index):
        self.tokens = tokens[tokens["doc_id"].isin(doc_ids)]
        self.doc_ids = doc_ids
        forms = self.tokens[["word", "base", "norm", "surface", "kh_pos"]].drop_duplicates()
        self.forms = forms
        self.cache: dict[Term, pd.DataFrame] = {}
        self.codes: dict[str, np.ndarray] = {}

    def hits(self, term: Term) -> pd.DataFrame:
        """(doc_id, position) of the tokens a term matches."""
        if term not in self.cache:
            f = self.forms
            q = term.text
            m = (f["word"] == q) | (f["base"] == q) | (f["norm"] == q) | (f["surface"] == q)
            words = set(f.loc[m, "word"])
            mask = self.tokens["word"].isin(words)
            if term.pos is not None:
                mask &= self.tokens["kh_pos"] == term.pos
            self.cache[term] = self.tokens.loc[mask, ["doc_id", "position"]]
        return self.cache[term]

    def present(self, term: Term) -> np.ndarray:
        return self.doc_ids.isin(self.hits(term)["doc_id"])

    def positions(self, terms) -> dict:
        """doc_id -> list of sorted position arrays (one per term), for documents with every term."""
        hits = [self.hits(t) for t in terms]
        common = set(hits[0]["doc_id"])
        for h in hits[1:]:
            common &= set(h["doc_id"])
        out: dict = {d: [] for d in common}
        for h in hits:
            h = h[h["doc_id"].isin(common)].sort_values(["doc_id", "position"], kind="stable")
            per: dict = {}
            for d, p in zip(h["doc_id"].tolist(), h["position"].tolist()):
                per.setdefault(d, []).append(p)
            for d in common:
                out[d].append(np.asarray(per[d]))
        return out

    def eval(self, expr) -> np.ndarray:
        if isinstance(expr, Term):
            return self.present(expr)
        if isinstance(expr, Not):
            return ~self.eval(expr.arg)
        if isinstance(expr, BoolOp):
            vals = [self.eval(a) for a in expr.args]
            return np.logical_and.reduce(vals) if expr.op == "and" else np.logical_or.reduce(vals)
        if isinstance(expr, CodeRef):
            return self.codes[expr.name]
        docs = set()
        for doc, pos in self.positions(expr.terms).items():
            if _match(expr, pos):
                docs.add(doc)
        return self.doc_ids.isin(list(docs))


def _match(expr, pos: list[np.ndarray]) -> bool:
    if isinstance(expr, Phrase):
        start = set(pos[0].tolist())
        for k, p in enumerate(pos[1:], start=1):
            start &= {x - k for x in p.tolist()}
        return bool(start)
    if isinstance(expr, Seq):
        reach = pos[0]
        for p in pos[1:]:
            reach = np.array([b for b in p if ((b - reach > 0) & (b - reach <= expr.dist)).any()])
            if not len(reach):
                return False
        return True
    # near: one occurrence of each word, every gap between neighbours (in text order) <= dist
    for combo in itertools.islice(itertools.product(*pos), 100_000):
        s = sorted(combo)
        if len(set(s)) == len(s) and all(b - a <= expr.dist for a, b in zip(s, s[1:])):
            return True
    return False


def code_documents(tokens: pd.DataFrame, docs: pd.DataFrame, rules: Sequence[CodeRule]) -> pd.DataFrame:
    """Which documents each code applies to.

    Parameters
    ----------
    tokens, docs : DataFrame
        From :func:`~dxsurvey.freetext.tokens.tokenize` and
        :func:`~dxsurvey.freetext.documents.documents`.  Rules see every token, stop words
        and excluded classes included (as KH Coder's coding does).
    rules : sequence of CodeRule
        From :func:`parse_rules` or :func:`read_rules`.

    Returns
    -------
    DataFrame
        Index ``doc_id`` (the documents' order), one bool column per code, named by the code.
        ``attrs``: the N attributes.
    """
    doc_ids = pd.Index(docs["doc_id"])
    ev = _Evaluator(tokens, doc_ids)
    out = {}
    for rule in rules:
        val = np.asarray(ev.eval(rule.expr), dtype=bool)
        ev.codes[rule.name] = val
        out[rule.name] = val
    frame = pd.DataFrame(out, index=pd.Index(doc_ids, name="doc_id"))
    return stamp(frame, docs)


# --------------------------------------------------------------------------
# cross-tabulation and quotes
# --------------------------------------------------------------------------
@dataclass
class CodeTable:
    """Codes by group.

    Attributes
    ----------
    cells : DataFrame
        One row per group × code: the ``by`` columns, ``code``, ``n_docs`` (documents of the
        group), ``n_coded``, ``share`` (0-1), ``expected`` (coded documents expected under
        independence), ``residual`` (Haberman's adjusted residual of the coded cell; positive =
        the group uses the code more than the others), ``residual_p`` (two-sided normal p).
    tests : DataFrame
        One row per code: ``code``, ``n_coded``, ``test`` (``chi2`` or ``fisher``, ``none``
        when every group or none has the code), ``statistic`` (Pearson's χ², Yates-corrected
        for 2 × 2 tables), ``dof``, ``p_val``, ``yates``, ``min_expected``.

    Both carry the N attributes.
    """

    cells: pd.DataFrame
    tests: pd.DataFrame


def code_crosstab(coded: pd.DataFrame, docs: pd.DataFrame, by: str | Sequence[str], *,
                  correction: bool | str = "auto", fisher_below: float = 5.0) -> CodeTable:
    """Counts and shares of each code per group, with χ² (or Fisher) tests and adjusted residuals.

    Parameters
    ----------
    coded : DataFrame
        From :func:`code_documents`.
    docs : DataFrame
        The documents (for the group columns).
    by : str or list of str
        Group column(s) of ``docs``.
    correction : bool or "auto"
        Yates' correction; ``"auto"`` (default) for 2 × 2 tables only (R's ``chisq.test``).
    fisher_below : float
        Fisher's exact test where an expected count is below this (default 5).

    Returns
    -------
    CodeTable

    Notes
    -----
    Each code is tested on its 2 × k table (documents with / without the code × the k
    groups).  The adjusted residual of a group is
    ``(O − E) / sqrt(E (1 − n_group/N) (1 − n_coded/N))``.
    """
    by = _by_list(by)
    if not by:
        raise ValueError("code_crosstab needs a group column (by=...)")
    _check_by(docs, by)
    g = docs.set_index("doc_id").loc[coded.index, by].reset_index(drop=True)
    keep = g.notna().all(axis=1).to_numpy()
    g = g[keep].reset_index(drop=True)
    c = coded[keep].reset_index(drop=True)
    groups = g.drop_duplicates().sort_values(by).reset_index(drop=True)
    gid = g.merge(groups.reset_index().rename(columns={"index": "_g"}), on=by, how="left")["_g"].to_numpy()
    n_group = np.bincount(gid, minlength=len(groups))
    cells, tests = [], []
    for code in c.columns:
        yes = np.bincount(gid, weights=c[code].to_numpy().astype(float), minlength=len(groups)).astype(np.int64)
        table = np.vstack([yes, n_group - yes])
        if table.sum() and (table.sum(axis=1) > 0).all():
            res, p = adjusted_residuals(table)
            exp = expected(table)[0]
            resid, resid_p = res[0], p[0]
        else:
            exp = np.full(len(groups), np.nan) if not table.sum() else expected(table)[0]
            resid = resid_p = np.full(len(groups), np.nan)
        test = table_test(table, correction=correction, fisher_below=fisher_below) if len(groups) >= 2 else \
            {"test": "none", "statistic": np.nan, "dof": 0, "p_val": np.nan, "yates": False, "min_expected": np.nan}
        tests.append({"code": code, "n_coded": int(yes.sum()), **test})
        for k in range(len(groups)):
            cells.append({**groups.iloc[k].to_dict(), "code": code, "n_docs": int(n_group[k]),
                          "n_coded": int(yes[k]), "share": yes[k] / n_group[k] if n_group[k] else np.nan,
                          "expected": float(exp[k]), "residual": float(resid[k]), "residual_p": float(resid_p[k])})
    cells = pd.DataFrame(cells, columns=[*by, "code", "n_docs", "n_coded", "share", "expected", "residual",
                                         "residual_p"])
    tests = pd.DataFrame(tests, columns=["code", "n_coded", "test", "statistic", "dof", "p_val", "yates",
                                         "min_expected"])
    n = int(keep.sum())
    return CodeTable(stamp(cells, docs, n_used=n), stamp(tests, docs, n_used=n))


def code_quotes(coded: pd.DataFrame, docs: pd.DataFrame, code: str, *, by: str | Sequence[str] | None = None,
                min_cell_text: int = 10) -> pd.DataFrame:
    """The comments a code applies to, per group, where the group is large enough to quote.

    Parameters
    ----------
    coded : DataFrame
        From :func:`code_documents`.
    docs : DataFrame
        The documents (texts are masked at ingest).
    code : str
        A column of ``coded``.
    by : str or list of str, optional
        Group columns; without, all documents form one group.
    min_cell_text : int
        Quotes only from groups with at least this many respondents who wrote
        (:func:`dxsurvey.privacy.quotes_allowed`; the study's ``min_cell_text``, default 10).

    Returns
    -------
    DataFrame
        One row per group × distinct text: the ``by`` columns, ``text``, ``count`` (how many
        documents wrote exactly this), ``n_group``.  Sorted by group, ``count`` descending,
        then text.  ``attrs``: the N attributes; ``n_used`` = coded documents quoted,
        ``n_below_min_cell_text`` = coded documents left out because their group was too small.
    """
    if code not in coded.columns:
        raise ValueError(f"no code {code!r}; the codes are {', '.join(map(repr, coded.columns))}")
    by = _by_list(by)
    _check_by(docs, by)
    d = docs.set_index("doc_id").loc[coded.index].reset_index()
    if by:
        d = d.dropna(subset=by)
        sizes = d.groupby(by).size().rename("n_group").reset_index()
        d = d.merge(sizes, on=by, how="left")
    else:
        d["n_group"] = len(d)
    hit = d[d["doc_id"].map(coded[code]).fillna(False).astype(bool)]
    allowed = hit["n_group"].map(lambda n: quotes_allowed(int(n), min_cell_text=min_cell_text))
    below = int((~allowed).sum())
    shown = hit[allowed]
    out = shown.groupby([*by, "text", "n_group"], sort=False).size().rename("count").reset_index()
    out = out[[*by, "text", "count", "n_group"]]
    out = out.sort_values([*by, "count", "text"], ascending=[True] * len(by) + [False, True],
                          kind="stable").reset_index(drop=True)
    return stamp(out, docs, n_used=len(shown), n_below_min_cell_text=below)
