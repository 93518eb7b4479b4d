"""The one Python API that the CLI, the UI and the tests use.

    from assistant import Assistant
    bot = Assistant()                       # settings from ASSISTANT_* env vars
    bot.index()                             # build/update index/ from documents/
    answer = bot.ask("Hvad siger Aalborg om sikkerhed?")
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterable

import numpy as np

from . import messages
from .answer import bare_case_numbers, compose, score_sentences
from .kinds import asks_for_kind, asks_of_document, asks_when, part_asked
from .compare import compare, comparison_scope, topic_of
from .config import Settings
from .embedders import Embedder, make_embedder
from .errors import DocumentError
from .gazetteer import other_organisations
from .glossary import english_words, with_danish_keywords
from .indexer import IndexReport, build_index
from .models import Answer, Finding, Passage
from .overview import asks_overview, doc_types_named, overview, searched_in
from .query import (QueryAnalysis, analyse, checked_question, organisation_asked,
                    without_strategy_speaker)
from .relevance import absent_topic, naming_sentences, quoted
from .retrieval import canonical_orgs, retrieve
from .scope import missing_municipalities, question_scope
from .search import Mode, Retriever
from .store import StoredIndex, check_embedder, current_version, read_index
from .themes import ThemeTagger
from .themes_data import THEMES
from .themes_query import theme_query


class Assistant:
    """Index documents and answer questions with cited passages."""

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None):
        self.settings = settings or Settings.from_env()
        self.embedder = embedder or make_embedder(self.settings.embedder)
        self._retriever: Retriever | None = None
        self._lock = threading.Lock()
        self._tagger: ThemeTagger | None = None

    # -- indexing ----------------------------------------------------------
    def index(self, docs_dir: Path | str | None = None, rebuild: bool = False,
              show_progress: bool = True) -> IndexReport:
        report = build_index(self.settings, self.embedder,
                             Path(docs_dir) if docs_dir else None, rebuild, show_progress)
        return report

    # -- the loaded index --------------------------------------------------
    def retriever(self) -> Retriever:
        """The retriever for the live index version, reloaded when it changes."""
        with self._lock:
            live = current_version(self.settings.index_dir)
            if self._retriever is None or self._retriever.index.version != live:
                index = read_index(self.settings.index_dir)
                # by id, then by the model's fingerprint (probe vector, cached)
                check_embedder(self.settings.index_dir, index, self.embedder)
                self._retriever = Retriever(index, self.embedder, self.settings)
            return self._retriever

    @property
    def stored_index(self) -> StoredIndex:
        return self.retriever().index

    def organisations(self) -> list[str]:
        """Organisations that have documents in the index."""
        return self.retriever().organisations()

    # -- questions ---------------------------------------------------------
    def _check(self, question: str) -> str:
        return checked_question(question, self.settings.max_question_chars)

    def search(self, question: str, k: int | None = None, *,
               organisations: Iterable[str] | None = None,
               doc_types: Iterable[str] | None = None, themes: Iterable[int] | None = None,
               mode: Mode = "hybrid") -> list[Passage]:
        """Ranked passages only (no answer text); used by ``ask`` and evaluation."""
        question = self._check(question)
        return retrieve(self, question, analyse(question), k or self.settings.top_k,
                              organisations, doc_types, mode, themes).passages

    # -- the strategy's themes -------------------------------------------------
    def theme_tagger(self) -> ThemeTagger:
        with self._lock:
            if self._tagger is None:
                self._tagger = ThemeTagger(self.embedder)
            return self._tagger

    def theme_rows(self, themes: Iterable[int], index: StoredIndex | None = None) -> np.ndarray:
        """Index rows of the chunks tagged with any of ``themes``."""
        index = index or self.stored_index
        tagger = self.theme_tagger()
        parts = [tagger.rows(index, t) for t in themes]
        return np.unique(np.concatenate(parts)) if parts else np.array([], dtype=np.int64)

    def theme_overview(self) -> dict[int, dict[str, list[Passage]]]:
        """Theme -> organisation -> its passages tagged with that theme.  Every
        organisation with documents is listed under every theme, with no
        passages where it says nothing on it: a silent organisation shows as a
        column of zeros, not as a missing column."""
        index = self.stored_index
        tags = self.theme_tagger().tags(index)
        orgs = sorted({d.meta.organisation or messages.UNKNOWN for d in index.documents.values()})
        out: dict[int, dict[str, list[Passage]]] = {t.number: {o: [] for o in orgs}
                                                    for t in THEMES}
        for row, themes in enumerate(tags):
            chunk = index.chunks[row]
            doc = index.documents[chunk.doc_id]
            org = doc.meta.organisation or messages.UNKNOWN
            for t in sorted(themes):
                cell = out[t].setdefault(org, [])
                cell.append(Passage(rank=len(cell) + 1, chunk=chunk, document=doc, score=1.0))
        return out

    def embed_query(self, query: str, lang: str | None = None):
        """The query vector; an English question also carries its Danish glossary words."""
        if self.settings.query_glossary:
            query = with_danish_keywords(query, lang)
        return self.embedder.embed_query(query)

    @staticmethod
    def _filters(organisations, doc_types, themes) -> dict:
        return {"organisations": list(organisations or []), "doc_types": list(doc_types or []),
                "themes": list(themes or [])}

    def ask(self, question: str, k: int | None = None, *,
            organisations: Iterable[str] | None = None,
            doc_types: Iterable[str] | None = None,
            themes: Iterable[int] | None = None) -> Answer:
        """Answer with quoted sentences and the passages they come from.

        A municipality named in the question filters to its documents; one with
        no documents gets a plain "no documents from X" instead of others'
        passages.  When nothing in the index resembles the question, the answer
        says so rather than presenting unrelated passages.
        """
        question = self._check(question)
        analysis = analyse(question)
        scope = comparison_scope(question, analysis,
                                 canonical_orgs(organisations) or self.organisations())
        if asks_overview(question) or self._only_names(analysis, organisations, scope):
            return self._overview(question, analysis, organisations, doc_types)
        if scope is not None:
            return self._compare(question, analysis, scope, organisations, doc_types, themes)
        # the type of document it searches in ("i pressemeddelelsen"), unless chosen or absent
        named_types, searched = ([], question) if doc_types else searched_in(question)
        if not (doc_types or named_types) and asks_of_document(question):
            named_types = doc_types_named(question)   # its signature, its attachments ...
        types = list(doc_types or named_types)
        found = retrieve(self, searched, analyse(searched), k or self.settings.top_k,
                         organisations, types, "hybrid", themes) if named_types else None
        if not (found and found.passages):
            types = list(doc_types or [])
            found = retrieve(self, question, analysis, k or self.settings.top_k, organisations,
                             doc_types, "hybrid", themes)
        lang = found.analysis.language
        no_source = ", ".join(found.missing) or None
        parts = [messages.text("no_source", lang, org=no_source)] if no_source else []
        filters = self._filters(organisations, doc_types, found.themes)
        if not found.passages or not found.relevant:
            if not no_source:
                if not self.stored_index.chunks:
                    parts.append(messages.text("empty_index", lang))
                elif found.excluded:
                    parts.append(messages.text("filter_excludes", lang, names=messages.joined(
                        found.excluded, lang), chosen=messages.joined(organisations, lang)))
                elif not found.passages and found.themes and not themes:   # named, not chosen
                    parts.append(messages.theme_empty(found.themes, found.scope, lang))
                elif not found.passages:
                    parts.append(messages.text("filter_empty", lang))
                else:
                    parts.append(messages.text("nothing_found", lang))
            return Answer(question, "\n\n".join(parts), (), no_source, lang, filters)
        bare = bare_case_numbers(found.passages, messages.text("sources_intro", lang), lang) \
            if found.part_absent == "case_number" else None
        if bare:    # printed under an agenda item's title, not labelled
            parts.append(bare[0])
            return Answer(question, "\n\n".join(parts), tuple(bare[1]), no_source, lang, filters)
        if found.part_absent and not found.mentions:   # "Hvem har underskrevet ...?", unsigned
            parts.append(messages.part_absent(found.part_absent, found.scope, types, lang))
            return Answer(question, "\n\n".join(parts), tuple(found.passages), no_source, lang,
                          filters, not_in_documents=(messages.part_name(found.part_absent, lang),))
        if found.unmatched and not found.mentions:
            parts.append(messages.text("topic_absent_in", lang, words=quoted(found.unmatched),
                                       scope=messages.joined(found.scope, lang))
                         if found.scope else
                         messages.text("topic_absent", lang, words=quoted(found.unmatched)))
            return Answer(question, "\n\n".join(parts), tuple(found.passages), no_source, lang,
                          filters, not_in_documents=found.unmatched)
        passages = found.passages
        scored = score_sentences(found.query, found.query_vec, passages,
                                 [found.index.statements(row) for row in found.rows])
        if found.mentions:
            passages, scored = naming_sentences(
                self.retriever(), passages, scored,
                [m for m in found.analysis.municipalities if m.official in found.missing],
                found.terms)
            if not scored:
                return Answer(question, "\n\n".join(parts), (), no_source, lang, filters)
        intro = (messages.text("named_elsewhere", lang, org=no_source) if found.mentions
                 else messages.text("sources_intro", lang))
        text, passages = compose(passages, scored, self.settings.answer_sentences, intro, lang,
                                 "" if found.mentions else messages.text("in_passing", lang),
                                 asks_when(found.query))
        parts.append(text)
        return Answer(question, "\n\n".join(parts), tuple(passages), no_source, lang, filters)

    def _compare(self, question: str, analysis: QueryAnalysis, scope: list[str],
                 organisations, doc_types, themes=None) -> Answer:
        """A comparison: one row per organisation in ``scope``, silent ones listed."""
        lang = analysis.language
        no_source = ", ".join(missing_municipalities(analysis, self.organisations())) or None
        # (no goal wording here: an organisation restating the goal would outscore,
        # by the relative gap, every other organisation's view on it)
        query, themes = theme_query(question, topic_of(analysis.topic), themes, lang)
        retriever = self.retriever()
        restrict = self.theme_rows(themes, retriever.index) if themes else None
        query_vec = self.embed_query(query, lang)
        terms = retriever.keyword_tokens(query, lang)
        unmatched = absent_topic(
            retriever, query, terms, lang,
            lambda: max((h.dense_score or 0.0 for h in retriever.search(
                query, 1, restrict, "dense", query_vec, lang)), default=0.0),
            self.embedder.relevance_floor)
        if unmatched:   # nobody's documents use the topic's words: all silent, nothing quoted
            findings = [Finding(org, (), None) for org in scope]
        else:
            findings = compare(retriever, query, query_vec, scope, doc_types,
                               floor=self.embedder.relevance_floor, restrict=restrict, lang=lang,
                               terms=terms, part=part_asked(question))
        filters = self._filters(organisations, doc_types, themes)
        parts = [messages.text("no_source", lang, org=no_source)] if no_source else []
        if unmatched:
            parts.append(messages.text("topic_absent_compare", lang, words=quoted(unmatched)))
        lines = [messages.text("compare_intro", lang)]
        for f in findings:
            if f.silent:
                lines.append(f"- {f.organisation}: {messages.silence(f, lang)}")
                continue
            lines += [f"- {messages.party(f, lang)}: "
                      + messages.cited_quote(p.quote(), p.rank, p.page_of(), lang)
                      for p in f.passages]
        parts.append("\n".join(lines))
        passages = tuple(p for f in findings for p in f.passages)
        return Answer(question, "\n\n".join(parts), passages, no_source, lang, filters,
                      comparison=tuple(findings), not_in_documents=unmatched)

    def _whose(self, question: str, analysis: QueryAnalysis, organisations):
        """The question's scope, and the organisations it names or the filter chooses."""
        chosen = canonical_orgs(organisations)
        scope = question_scope(question, analysis, chosen, self.organisations(),
                               self.retriever().lexicon())
        return scope, scope.organisations or chosen or comparison_scope(
            question, analysis, self.organisations())

    def _only_names(self, analysis: QueryAnalysis, organisations, compared) -> bool:
        """Whether the question names whom it asks (or a filter or comparison
        chooses them) but no topic ("Hvad mener Fredensborg?", "What does KL
        think?"): their main points answer it, unless it asks for a fact (a
        time, a number, a signature, a case number ...: ``asks_for_kind``;
        "Hvem har skrevet under på KL's brev?").  Read without a search."""
        indexed = self.organisations()
        named = not asks_for_kind(analysis.topic) and (organisations or compared
                 or len(missing_municipalities(analysis, indexed)) < len(analysis.municipalities)
                 or organisation_asked(analysis.topic, other_organisations(indexed)))
        if not named:
            return False
        retriever = self.retriever()
        topic = without_strategy_speaker(topic_of(analysis.topic))
        return not any(retriever.lexicon().topic_terms(
            retriever.keyword_tokens(topic, analysis.language),
            literal=english_words(topic, analysis.language)))

    def _overview(self, question: str, analysis: QueryAnalysis, organisations,
                  doc_types) -> Answer:
        """The main points of the documents the question names (an organisation,
        a document type) or the filters choose; see :mod:`assistant.overview`."""
        lang, retriever = analysis.language, self.retriever()
        scope, orgs = self._whose(question, analysis, organisations)
        no_source = ", ".join(scope.missing) or None
        parts = [messages.text("no_source", lang, org=no_source)] if no_source else []
        filters = self._filters(organisations, doc_types, ())
        if scope.missing and not scope.organisations:   # only municipalities without documents
            return Answer(question, "\n\n".join(parts), (), no_source, lang, filters)
        types = list(doc_types or []) or doc_types_named(question)
        text, passages = overview(retriever.index, retriever.rows_where(orgs, types), lang)
        parts.append(text)
        return Answer(question, "\n\n".join(parts), tuple(passages), no_source, lang, filters)

    # -- for the UI ----------------------------------------------------------
    def summary(self) -> dict:
        """What is indexed: counts per organisation and type, embedder, build time."""
        index = self.stored_index
        return {
            "documents": len(index.documents), "chunks": len(index.chunks),
            "by_organisation": index.counts(lambda d: d.meta.organisation or messages.UNKNOWN),
            "by_type": index.counts(lambda d: d.meta.doc_type or messages.UNKNOWN),
            "embedder": index.embedder_id, "dimension": index.dim,
            "built": index.manifest.get("created_at"),
            "failures": [f.reason for f in index.failures],
            "notes": [f"{d.doc_id}: {w}" for d in index.documents.values() for w in d.warnings],
        }

    def source_file(self, doc_id: str) -> Path:
        """The original file of an indexed document, only if it lies inside the
        documents folder (so the UI can never be made to hand out other files)."""
        docs = self.settings.docs_dir.resolve()
        doc = self.stored_index.documents.get(doc_id)
        path = Path(doc.source_path).resolve() if doc else docs / doc_id
        if doc is None or not path.is_relative_to(docs) or not path.is_file():
            raise DocumentError(doc_id, "not a document in the documents folder")
        return path
