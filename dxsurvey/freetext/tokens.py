"""Tokenising free text as KH Coder users expect: Sudachi split mode C, KH Coder's word classes.

One row per token, in a tidy frame that every other function of :mod:`dxsurvey.freetext`
reads.  Japanese goes through SudachiPy with ``sudachidict_core`` (split mode C keeps
生成AI, 個人情報保護, グループワーク whole); English (``language="en"``) through a light
regular-expression path.
"""
from __future__ import annotations

import csv
import functools
import io
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import privacy
from ..privacy import TOKENS as MASK_TOKENS
from ..privacy import _decode_file

__all__ = [
    "KH_CLASSES", "DEFAULT_EXCLUDED", "TOKEN_COLUMNS", "MAX_SUDACHI_BYTES", "EN_STOP_WORDS",
    "Lexicon", "load_lexicon", "tokenize", "kh_class", "word_labels", "analysis_tokens", "nfkc",
    "person_names",
]

#: KH Coder's word classes (品詞) for Japanese, in its order.  ``タグ`` is the class KH Coder
#: gives forced words (強制抽出する語); ``その他`` everything it does not list.
KH_CLASSES = ("名詞", "サ変名詞", "形容動詞", "固有名詞", "組織名", "人名", "地名", "ナイ形容", "副詞可能",
              "未知語", "感動詞", "タグ", "動詞", "形容詞", "副詞", "代名詞", "名詞B", "動詞B", "形容詞B",
              "副詞B", "名詞C", "否定助動詞", "形容詞（非自立）", "その他")

#: Classes KH Coder leaves out of frequency lists, networks and correspondence analysis by
#: default: hiragana-only words (…B), 否定助動詞, 形容詞（非自立）, and the classes it never
#: uses (その他, 代名詞).  English tokens of stop words are flagged ``stop`` instead.
DEFAULT_EXCLUDED = frozenset({"その他", "代名詞", "名詞B", "動詞B", "形容詞B", "副詞B", "否定助動詞",
                              "形容詞（非自立）"})

#: Columns of :func:`tokenize`'s frame.
TOKEN_COLUMNS = ("doc_id", "position", "start", "end", "surface", "base", "norm", "word", "kh_pos", "stop")

#: One Sudachi call refuses input over 49,149 bytes; texts are cut below this (UTF-8 bytes).
MAX_SUDACHI_BYTES = 49_149
_CHUNK_BYTES = 40_000

#: A small English stop list (articles, pronouns, auxiliaries, prepositions, conjunctions).
EN_STOP_WORDS = frozenset("""
a an the and or but if then than so as of at by for from in into on onto to with without about over
under up down out off again very too also just only not no nor own same such both each few more most
other some any all can could will would shall should may might must do does did done doing be been
being am is are was were have has had having i me my mine myself we us our ours you your yours he him
his she her hers it its they them their theirs this that these those there here what which who whom
whose when where why how because while during before after through between s t don isn ll ve re d m
""".split())

_EN_WORD_RE = re.compile(r"[a-z0-9]+(?:['’\-][a-z0-9]+)*")
_HIRAGANA_RE = re.compile(r"[\u3041-\u309f\u30fc]+")
_SENTENCE_END_RE = re.compile(r"[。．！？!?\n]")
_NEGATIVE_AUX = frozenset({"ない", "ぬ", "ん", "まい"})


def nfkc(text: str) -> str:
    """Unicode NFKC: full-width letters and digits become ASCII (ＤＸ -> DX), half-width kana full."""
    return unicodedata.normalize("NFKC", text)


# --------------------------------------------------------------------------
# user word lists (KH Coder's 強制抽出する語 / 使用しない語 / 同義語)
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Lexicon:
    """A study's word lists.

    Attributes
    ----------
    force : tuple of str
        Words kept whole (KH Coder's 強制抽出する語), NFKC-normalised, longest first.
    stop : frozenset of str
        Words not analysed (使用しない語), matched against a token's word, dictionary form,
        normalised form and surface.
    synonyms : dict
        Variant -> representative (同義語); the representative is the word counted and shown.
    """

    force: tuple[str, ...] = ()
    stop: frozenset = frozenset()
    synonyms: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        force = sorted({nfkc(w).strip() for w in self.force if nfkc(w).strip()}, key=lambda w: (-len(w), w))
        object.__setattr__(self, "force", tuple(force))
        object.__setattr__(self, "stop", frozenset(nfkc(w).strip() for w in self.stop if nfkc(w).strip()))
        object.__setattr__(self, "synonyms", {nfkc(k).strip(): nfkc(v).strip() for k, v in self.synonyms.items()})


def _list_lines(path: Path) -> list[str]:
    out = []
    for line in _decode_file(path, f"save {path.name} as UTF-8").splitlines():
        line = line.strip().strip("\ufeff")
        if line and not line.startswith("#"):
            out.append(line)
    return out


def load_lexicon(study_root) -> Lexicon:
    """The optional word lists of a study folder.

    ``force_words.txt`` (強制抽出する語) and ``stop_words.txt`` (使用しない語): one word a line.
    ``synonyms.csv`` (同義語): one group a row, the representative first, then its variants
    (``サーバー,サーバ,server``).  UTF-8 (with or without BOM) or CP932; blank lines and
    lines starting with ``#`` are skipped.  Absent files give empty lists.  A representative is
    the label reports show, so it is masked as comments are (:func:`dxsurvey.privacy.mask_text`
    with the study's ``names.txt``); force words only match text that was masked already.

    Raises
    ------
    ValueError
        A file that cannot be decoded, or a synonyms row with one field or a variant that
        already belongs to another group (naming file, line and value).
    """
    root = Path(study_root)
    force = _list_lines(root / "force_words.txt") if (root / "force_words.txt").is_file() else []
    stop = _list_lines(root / "stop_words.txt") if (root / "stop_words.txt").is_file() else []
    synonyms: dict[str, str] = {}
    path = root / "synonyms.csv"
    if path.is_file():
        names = privacy.load_names(root)
        text = _decode_file(path, "save synonyms.csv as UTF-8")
        for lineno, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            cells = [nfkc(c).strip().strip("\ufeff") for c in row]
            cells = [c for c in cells if c]
            if not cells or cells[0].startswith("#"):
                continue
            if len(cells) < 2:
                raise ValueError(f"{path}, line {lineno}: {cells[0]!r} has no variant; write the word to count "
                                 f"first, then its variants, separated by commas.")
            head = privacy.mask_text(cells[0], names=names)   # the label a report shows
            for variant in cells[1:]:
                if variant in synonyms and synonyms[variant] != head:
                    raise ValueError(f"{path}, line {lineno}: {variant!r} is already a variant of "
                                     f"{synonyms[variant]!r}; a word can belong to one group only.")
                if variant != head:
                    synonyms[variant] = head
    return Lexicon(force=tuple(force), stop=frozenset(stop), synonyms=synonyms)


# --------------------------------------------------------------------------
# Sudachi
# --------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _dictionary():
    from sudachipy import Dictionary

    return Dictionary(dict="core")


#: One Sudachi tokenizer per thread: a Tokenizer refuses concurrent use ("Tokenizer is
#: already in use"), and the pipeline audits two notebooks at once in worker threads,
#: each looking for person names in the text it scans.
_LOCAL = threading.local()


def _sudachi():
    """The shared dictionary and this thread's split-mode C tokenizer."""
    tok = getattr(_LOCAL, "tokenizer", None)
    if tok is None:
        from sudachipy import SplitMode

        tok = _LOCAL.tokenizer = _dictionary().tokenizer(mode=SplitMode.C)
    return _dictionary(), tok


def kh_class(pos: tuple[str, ...], base: str, *, oov: bool = False) -> str:
    """KH Coder's word class for a Sudachi (UniDic-style) part of speech.

    Parameters
    ----------
    pos : tuple of str
        Sudachi's six-field part of speech (``("名詞", "普通名詞", "サ変可能", "*", "*", "*")``).
    base : str
        The dictionary form (hiragana-only words go to the …B classes, as in KH Coder).
    oov : bool
        Sudachi did not find the word in its dictionary (-> 未知語).

    Returns
    -------
    str
        One of :data:`KH_CLASSES`.

    Notes
    -----
    KH Coder defines its classes on IPADIC.  The mapping from Sudachi's UniDic-style tags:
    固有名詞-地名 -> 地名, 固有名詞-人名 -> 人名, 固有名詞-組織 -> 組織名 (SudachiDict core
    tags organisations 固有名詞-一般, so they come out as 固有名詞), other 固有名詞 ->
    固有名詞; 普通名詞-サ変可能/サ変形状詞可能 -> サ変名詞; 普通名詞-形状詞可能 and 形状詞 ->
    形容動詞 (IPADIC's 形容動詞語幹); 普通名詞-副詞可能 -> 副詞可能; other 普通名詞: hiragana
    -> 名詞B, one character -> 名詞C, else 名詞; 代名詞; 動詞 (一般 and 非自立可能), 形容詞
    (一般 and 非自立可能: 良い, 無い) and 副詞 with a hiragana dictionary form -> …B;
    接尾辞-形容詞的 (づらい, にくい, やすい) -> 形容詞（非自立）; 助動詞 ない/ぬ/ん/まい ->
    否定助動詞; 感動詞 -> 感動詞; out-of-vocabulary -> 未知語; everything else (particles,
    auxiliaries, affixes, numbers, symbols) -> その他.  IPADIC's ナイ形容 has no UniDic
    counterpart and is not produced.
    """
    p1 = pos[0]
    p2 = pos[1] if len(pos) > 1 else "*"
    p3 = pos[2] if len(pos) > 2 else "*"
    hira = bool(_HIRAGANA_RE.fullmatch(base))
    if oov:
        return "未知語"
    if p1 == "名詞":
        if p2 == "固有名詞":
            return {"地名": "地名", "人名": "人名", "組織": "組織名"}.get(p3, "固有名詞")
        if p2 == "普通名詞":
            if p3 in ("サ変可能", "サ変形状詞可能"):
                return "サ変名詞"
            if p3 == "形状詞可能":
                return "形容動詞"
            if p3 == "副詞可能":
                return "副詞可能"
            if hira:
                return "名詞B"
            return "名詞C" if len(base) == 1 else "名詞"
        return "その他"                       # 数詞
    if p1 == "代名詞":
        return "代名詞"
    if p1 == "形状詞" and p2 != "助動詞語幹":
        return "形容動詞"
    if p1 == "動詞":
        return "動詞B" if hira else "動詞"
    if p1 == "形容詞":
        return "形容詞B" if hira else "形容詞"
    if p1 == "副詞":
        return "副詞B" if hira else "副詞"
    if p1 == "接尾辞" and p2 == "形容詞的":
        return "形容詞（非自立）"
    if p1 == "助動詞" and base in _NEGATIVE_AUX:
        return "否定助動詞"
    if p1 == "感動詞":
        return "感動詞"
    return "その他"


def _chunks(text: str) -> Iterable[tuple[int, str]]:
    """(offset, piece) pieces of ``text`` under Sudachi's byte limit, cut after a sentence end."""
    if len(text.encode("utf-8")) <= _CHUNK_BYTES:
        yield 0, text
        return
    start = 0
    while start < len(text):
        # at most _CHUNK_BYTES bytes: a character is at most 4 bytes in UTF-8
        end = start
        size = 0
        while end < len(text) and size + len(text[end].encode("utf-8")) <= _CHUNK_BYTES:
            size += len(text[end].encode("utf-8"))
            end += 1
        if end < len(text):
            cut = None
            for m in _SENTENCE_END_RE.finditer(text, start, end):
                cut = m.end()
            if cut is not None and cut > start:
                end = cut
        yield start, text[start:end]
        start = end


@functools.lru_cache(maxsize=None)
def _pos_info(pos_id: int) -> tuple[str, ...]:
    return tuple(_sudachi()[0].pos_of(pos_id))


_MASK_RE = re.compile("|".join(re.escape(w) for w in sorted(set(MASK_TOKENS.values()), key=lambda w: (-len(w), w))))


def _force_re(force: tuple[str, ...], *, english: bool = False) -> re.Pattern | None:
    """The force words, longest first; None without any.

    A force word that begins or ends with a Latin letter or digit matches only where the
    text has no letter or digit on that side (``AI`` is not found in ``MAIL``); English force
    words match in any case, a space in them matching any run of spaces.
    """
    if not force:
        return None
    alts = []
    for w in force:
        pat = re.escape(w)
        if english:
            pat = re.sub(r"(\\ )+", r"\\s+", pat)
        if re.match(r"[A-Za-z0-9]", w):
            pat = r"(?<![A-Za-z0-9])" + pat
        if re.search(r"[A-Za-z0-9]$", w):
            pat += r"(?![A-Za-z0-9])"
        alts.append(f"(?:{pat})")
    return re.compile("|".join(alts), re.IGNORECASE if english else 0)


#: word_id -> (base, norm, kh_pos, name kind) for in-dictionary words; OOV ids map to None
_LEXICAL: dict[int, tuple | None] = {}


def _lexical(m) -> tuple:
    """(base, norm, kh_pos, name kind) of a Sudachi morpheme, cached by word id (not for OOV)."""
    wid = m.word_id()
    info = _LEXICAL.get(wid)
    if info is not None:
        return info
    base = m.dictionary_form()
    pos = _pos_info(m.part_of_speech_id())
    oov = m.is_oov()
    kh = kh_class(pos, base, oov=oov)
    info = (base, m.normalized_form(), kh, pos[3] if kh == "人名" else "")
    if not oov:                 # an OOV id is shared by every unknown word: not cached
        _LEXICAL[wid] = info
    return info


def _sudachi_run(piece: str, offset: int) -> list[tuple]:
    """Sudachi's tokens of ``piece`` (cut below its byte limit), offsets shifted by ``offset``."""
    _, tok = _sudachi()
    out: list[tuple] = []
    for off, chunk in _chunks(piece):
        at = offset + off
        for m in tok.tokenize(chunk):
            b, e = m.begin(), m.end()
            surface = chunk[b:e]
            if not surface or surface.isspace():
                continue
            out.append((at + b, at + e, surface, *_lexical(m)))
    return out


def _merge_force(text: str, toks: list[tuple], force: re.Pattern | None, run, kh_of) -> list[tuple]:
    """Merge the tokens each force word covers into one token (KH Coder's 強制抽出する語).

    ``toks`` are the tokens of the whole ``text``, so the tokeniser saw every word in its
    context.  Each match of ``force`` whose ends fall on token boundaries replaces the tokens
    it covers; where a match cuts a token, the parts of that token outside the match are
    tokenised again (``run(piece, offset)``).  ``kh_of(match)`` gives the merged token's
    (base, norm, kh_pos, name kind).
    """
    hits = list(force.finditer(text)) if force is not None else []
    if not hits:
        return toks
    out: list[tuple] = []
    i = 0
    for hit in hits:
        s, e = hit.start(), hit.end()
        while i < len(toks) and toks[i][1] <= s:
            out.append(toks[i])
            i += 1
        j = i
        while j < len(toks) and toks[j][0] < e:
            j += 1
        head = toks[i][0] if i < j else s
        tail = toks[j - 1][1] if i < j else e
        if head < s:
            out.extend(run(text[head:s], head))
        out.append((s, e, hit.group(0), *kh_of(hit.group(0))))
        toks = (run(text[e:tail], e) if tail > e else []) + toks[j:]
        i = 0
    out.extend(toks[i:])
    return out


def _with_masks(text: str, force: re.Pattern | None, run, kh_of) -> list[tuple]:
    """Tokens of ``text``: mask tokens (``[氏名]``) cut out first and kept whole (class その他),
    each stretch between them tokenised by ``run`` with force words merged after."""
    def stretch(a: int, b: int) -> list[tuple]:
        piece = text[a:b]
        toks = _merge_force(piece, run(piece, 0), force, run, kh_of)
        return [(s + a, e + a, *rest) for s, e, *rest in toks] if a else toks

    out: list[tuple] = []
    last = 0
    for hit in _MASK_RE.finditer(text):
        if hit.start() > last:
            out.extend(stretch(last, hit.start()))
        w = hit.group(0)
        out.append((hit.start(), hit.end(), w, w, w, "その他", ""))
        last = hit.end()
    if last < len(text):
        out.extend(stretch(last, len(text)))
    return out


def _tokenize_ja(text: str, force: re.Pattern | None) -> list[tuple]:
    """(start, end, surface, base, norm, kh_pos, name_kind) for one NFKC text."""
    return _with_masks(text, force, _sudachi_run, lambda w: (w, w, "タグ", ""))


def _en_run(text: str, offset: int) -> list[tuple]:
    lower = text.lower()
    return [(offset + m.start(), offset + m.end(), text[m.start():m.end()], m.group(0), m.group(0), "word", "")
            for m in _EN_WORD_RE.finditer(lower)]


def _tokenize_en(text: str, force: re.Pattern | None) -> list[tuple]:
    def kh_of(w: str) -> tuple:
        low = " ".join(w.lower().split())
        return (low, low, "タグ", "")

    return _with_masks(text, force, _en_run, kh_of)


def tokenize(texts: pd.Series, *, language: str = "ja", lexicon: Lexicon | None = None) -> pd.DataFrame:
    """Split texts into tokens, one row per token.

    Parameters
    ----------
    texts : pandas.Series of str
        The texts; the index is the document id (a submission_id).  Missing values give no tokens.
    language : {"ja", "en"}
        ``ja``: SudachiPy, split mode C, ``sudachidict_core``.  ``en``: words of letters and
        digits (``[a-z0-9]+`` joined by ``'`` or ``-``), lower-cased; :data:`EN_STOP_WORDS`
        are flagged ``stop``.
    lexicon : Lexicon, optional
        Force words, stop words and synonyms (:func:`load_lexicon`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TOKEN_COLUMNS`:

        - ``doc_id``: the index label of the text;
        - ``position``: 0-based order of the token in its document (every token counts,
          particles and punctuation too, as KH Coder's distances do);
        - ``start``, ``end``: character offsets in the NFKC-normalised text;
        - ``surface``: the text as written (after NFKC);
        - ``base``: the dictionary form (見直し -> 見直す), the form shown to readers;
        - ``norm``: Sudachi's normalised form (サーバ -> サーバー, 打合せ -> 打ち合わせ);
        - ``word``: what is counted: ``norm`` after synonyms (for English the lower-cased word);
        - ``kh_pos``: KH Coder's class (:func:`kh_class`; ``タグ`` for force words, ``word``
          for English);
        - ``stop``: a stop word (使用しない語) or an English stop word.

    Notes
    -----
    Each text is NFKC-normalised first (ＤＸ -> DX), then tokenised whole, so Sudachi sees
    every word in its context.  Mask tokens left by ingest (``[氏名]`` etc.) and force words
    are merged after tokenising: the tokens a match covers become one token (mask tokens with
    class その他, so they are never counted; force words ``タグ``, as KH Coder classes its
    forced words); where a match cuts a token (a force word inside a longer word), the parts
    of that token outside the match are tokenised again.  English force words match whole
    words in any case; English synonyms and stop words are compared in lower case.  A text over
    Sudachi's limit of 49,149 bytes per call is cut after the last sentence end
    (。．！？!? or a line break) below 40,000 bytes.  Identical texts are tokenised once.
    """
    if language not in ("ja", "en"):
        raise ValueError(f"language must be 'ja' or 'en', got {language!r}")
    if not isinstance(texts, pd.Series):
        raise ValueError(f"tokenize expects a pandas Series of texts, got {type(texts).__name__}")
    lexicon = lexicon or Lexicon()
    english = language == "en"
    force = _force_re(lexicon.force, english=english)
    cache: dict[str, list[tuple]] = {}
    rows_doc, rows_pos, rows = [], [], []
    for doc_id, text in texts.items():
        if not isinstance(text, str):
            if text is None or (pd.api.types.is_scalar(text) and pd.isna(text)):
                continue
            raise ValueError(f"tokenize expects strings; document {doc_id!r} holds {text!r}")
        toks = cache.get(text)
        if toks is None:
            norm_text = nfkc(text)
            toks = _tokenize_en(norm_text, force) if english else _tokenize_ja(norm_text, force)
            cache[text] = toks
        rows.extend(toks)
        rows_doc.extend([doc_id] * len(toks))
        rows_pos.extend(range(len(toks)))
    cols = list(zip(*rows)) if rows else [()] * 7
    start, end, surface, base, norm, kh_pos, _detail = cols
    syn = lexicon.synonyms
    if english:            # English words are compared in lower case
        syn = {k.lower(): v.lower() for k, v in syn.items()}
    if not syn:
        word = norm
    elif not english:
        word = [syn.get(n, syn.get(b, syn.get(s, n))) for n, b, s in zip(norm, base, surface)]
    else:
        word = [syn.get(b, b) for b in base]
    stop_words = (frozenset(w.lower() for w in lexicon.stop) | EN_STOP_WORDS) if english else lexicon.stop
    if stop_words:
        stop = [w in stop_words or b in stop_words or n in stop_words or s in stop_words
                for w, b, n, s in zip(word, base, norm, surface)]
    else:
        stop = np.zeros(len(rows), dtype=bool)
    return pd.DataFrame({
        "doc_id": pd.Series(rows_doc, dtype=texts.index.dtype if len(rows_doc) else object),
        "position": np.asarray(rows_pos, dtype=np.int64),
        "start": np.asarray(start, dtype=np.int64), "end": np.asarray(end, dtype=np.int64),
        "surface": list(surface), "base": list(base), "norm": list(norm), "word": list(word),
        "kh_pos": list(kh_pos), "stop": np.asarray(stop, dtype=bool)})


def analysis_tokens(tokens: pd.DataFrame, *, exclude_pos: Iterable[str] = DEFAULT_EXCLUDED) -> pd.DataFrame:
    """Tokens that count in frequency lists, networks and correspondence analysis.

    Drops stop words and the word classes in ``exclude_pos`` (KH Coder's defaults:
    :data:`DEFAULT_EXCLUDED`).
    """
    exclude = frozenset(exclude_pos)
    return tokens[~tokens["stop"] & ~tokens["kh_pos"].isin(exclude)]


def word_labels(tokens: pd.DataFrame) -> pd.DataFrame:
    """Per counted word: the label shown and its class.

    The label is the word's most frequent dictionary form (サーバ and サーバー are counted as
    one word, サーバー, and shown as whichever form was written more often); a word merged by
    a synonym list is shown as its representative.  Ties go to the form that sorts first.

    Returns
    -------
    pandas.DataFrame
        Index ``word``; columns ``label`` and ``kh_pos`` (the most frequent class).
    """
    def top(col: str) -> pd.Series:
        counts = tokens.groupby(["word", col], sort=True).size().rename("n").reset_index()
        counts = counts.sort_values(["word", "n", col], ascending=[True, False, True], kind="stable")
        return counts.drop_duplicates("word").set_index("word")[col]

    if tokens.empty:
        return pd.DataFrame({"label": pd.Series(dtype=object), "kh_pos": pd.Series(dtype=object)},
                            index=pd.Index([], name="word"))
    label = top("base")
    merged = tokens.loc[tokens["word"] != tokens["norm"], "word"].unique()
    label[label.index.isin(merged)] = label.index[label.index.isin(merged)]
    out = pd.DataFrame({"label": label, "kh_pos": top("kh_pos")})
    out.index.name = "word"
    return out


# --------------------------------------------------------------------------
# privacy: person names Sudachi knows
# --------------------------------------------------------------------------
def person_names(texts: pd.Series) -> pd.DataFrame:
    """Person names found by Sudachi's 人名 tags (名詞-固有名詞-人名-姓/名/一般).

    Meant for privacy masking and the audit: it catches what a surname list misses, such as
    hiragana given names (さくらさん) and rare surnames (勅使河原さん).  Adjacent name tokens
    (姓 + 名) form one name.  Mask tokens (``[氏名]``) are skipped.

    Parameters
    ----------
    texts : pandas.Series of str
        Texts as stored (missing values are skipped).

    Returns
    -------
    pandas.DataFrame
        One row per name: ``index`` (the text's index label), ``name`` (as written),
        ``start``, ``end`` (character offsets in the text as given, so a caller can replace
        the span), ``kind`` (``姓``, ``名``, ``一般``, or ``姓名`` for a surname followed by
        a given name).

    Notes
    -----
    Sudachi tags a word 人名 where its dictionary and the context say so; a given name that
    is also an ordinary word (桜, 誠) can be missed or, rarely, found where it is not a
    name, so a caller masking with it should log what it masked.

    Examples
    --------
    >>> person_names(pd.Series(["さくらさんと勅使河原さんに聞いた。"]))[["name", "kind"]].to_numpy().tolist()
    [['さくら', '名'], ['勅使河原', '姓']]
    """
    if not isinstance(texts, pd.Series):
        raise ValueError(f"person_names expects a pandas Series, got {type(texts).__name__}")
    rows = []
    for idx, text in texts.items():
        if not isinstance(text, str) or not text:
            continue
        norm = nfkc(text)
        back = _offset_map(text, norm)
        runs: list[list[tuple]] = []
        for start, end, _surface, _base, _norm, kh, detail in _tokenize_ja(norm, None):
            if kh != "人名":
                continue
            kind = detail if detail in ("姓", "名") else "一般"
            if runs and runs[-1][-1][1] == start:
                runs[-1].append((start, end, kind))
            else:
                runs.append([(start, end, kind)])
        for run in runs:
            s, e = back[run[0][0]], back[run[-1][1]]
            kinds = [k for _, _, k in run]
            kind = kinds[0] if len(kinds) == 1 else ("姓名" if kinds[:2] == ["姓", "名"] else "一般")
            rows.append((idx, text[s:e], s, e, kind))
    return pd.DataFrame(rows, columns=["index", "name", "start", "end", "kind"])


def _offset_map(text: str, norm: str) -> list[int]:
    """For each offset in ``norm`` = nfkc(text) (and its end), the offset in ``text``."""
    out: list[int] = []
    for i, ch in enumerate(text):
        out.extend([i] * len(nfkc(ch)))
    out.append(len(text))
    if len(out) != len(norm) + 1:      # composition across characters (ｶﾞ -> ガ): map by prefix lengths
        out = [len(_nfkc_prefix(text, k)) for k in range(len(norm) + 1)]
    return out


def _nfkc_prefix(text: str, k: int) -> str:
    """The shortest prefix of ``text`` whose NFKC form is at least ``k`` characters long."""
    for j in range(len(text) + 1):
        if len(nfkc(text[:j])) >= k:
            return text[:j]
    return text
