"""Japanese free-text analysis as KH Coder users know it: words, contexts, networks, codes, change.

Pure functions on tidy frames (DESIGN §2: readers -> ingest -> freetext -> reports):

- :mod:`.documents`: one respondent's comment is one document, joined to its groups;
- :mod:`.tokens`: SudachiPy (split mode C) tokens with KH Coder's word classes, user word
  lists (force / stop / synonyms), an English path, person-name detection for privacy;
- :mod:`.counts`: term and document frequencies by group, word change between waves;
- :mod:`.kwic`: KWIC concordance and collocation scores;
- :mod:`.network`: Jaccard co-occurrence networks, communities, change networks;
- :mod:`.ca`: correspondence analysis of words × groups;
- :mod:`.coding`: KH Coder coding rules, code × group tables, quotes;
- :mod:`.plots`: the figures.

Every result frame carries ``attrs`` ``n_used``, ``n_blank``, ``n_masked_only`` and
``n_below_min_cell_text`` (:data:`.documents.N_ATTRS`).
"""
from __future__ import annotations

from .contingency import adjusted_residuals, table_test
from .coding import (CodeRule, CodeTable, RuleError, code_crosstab, code_documents, code_quotes, parse_rules,
                     read_rules)
from .counts import word_change, word_counts
from .documents import N_ATTRS, documents, note_counts, study_documents
from .kwic import collocations, kwic
from .tokens import DEFAULT_EXCLUDED, KH_CLASSES, Lexicon, load_lexicon, person_names, tokenize, word_labels

#: Names from the modules that import scipy or networkx at import, imported on first use:
#: ingest's masking imports :mod:`.tokens` (person names) in every ``dxsurvey`` process,
#: which runs this ``__init__`` (``dxsurvey run`` should not pay for scipy before its
#: kernels start; the other modules import scipy inside the functions that use it).
_LAZY = {"Correspondence": "ca", "correspondence": "ca", "word_correspondence": "ca",
         "Network": "network", "cooccurrence": "network", "network_change": "network"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "documents", "study_documents", "N_ATTRS", "note_counts",
    "tokenize", "Lexicon", "load_lexicon", "word_labels", "person_names", "KH_CLASSES", "DEFAULT_EXCLUDED",
    "word_counts", "word_change", "kwic", "collocations",
    "Network", "cooccurrence", "network_change",
    "Correspondence", "correspondence", "word_correspondence",
    "RuleError", "CodeRule", "CodeTable", "parse_rules", "read_rules", "code_documents", "code_crosstab",
    "code_quotes", "adjusted_residuals", "table_test",
]
