"""User-facing wording in Danish and English, in one place.

Exceptions carry technical English messages; the CLI and UI call
:func:`describe` to turn them into friendly text.  Answer phrases live here
too so the two languages stay side by side.
"""
from __future__ import annotations

from . import errors
from .themes_data import theme_label

TEXT = {
    "no_source": {
        "da": "Der er ingen dokumenter fra {org} i indekset, så jeg kan ikke sige, hvad {org} mener.",
        "en": "There are no documents from {org} in the index, so I cannot say what {org} thinks.",
    },
    "topic_absent": {
        "da": "Dokumenterne nævner ikke {words}, så der er intet svar at citere. De afsnit, der "
              "ligner spørgsmålet mest, står under kilderne; de handler om noget andet.",
        "en": "Neither {words} nor any Danish word the assistant knows for the topic occurs in "
              "the documents, so there is no answer to quote. The passages closest to the question "
              "are listed under the sources; they are likely about something else.",
    },
    "part_absent": {
        "da": "Dokumenterne{types} har {none}, så der er intet svar at citere. De afsnit, der "
              "ligner spørgsmålet mest, står under kilderne.",
        "en": "The documents{types} have {none}, so there is no answer to quote. The passages "
              "closest to the question are listed under the sources.",
    },
    "part_absent_in": {
        "da": "Dokumenterne{types} fra {scope} har {none}, så der er intet svar at citere. De "
              "afsnit fra {scope}, der ligner spørgsmålet mest, står under kilderne.",
        "en": "The documents{types} from {scope} have {none}, so there is no answer to quote. The "
              "passages from {scope} closest to the question are listed under the sources.",
    },
    "named_elsewhere": {
        "da": "Andre organisationers dokumenter nævner {org}:",
        "en": "Other organisations' documents mention {org}:",
    },
    "topic_absent_in": {
        "da": "Dokumenterne fra {scope} nævner ikke {words}, så der er intet svar at citere. "
              "De afsnit fra {scope}, der ligner spørgsmålet mest, står under kilderne; de "
              "nævner ikke emnet.",
        "en": "The documents from {scope} mention neither {words} nor any Danish word the "
              "assistant knows for the topic, so there is no answer to quote. The passages from "
              "{scope} closest to the question are listed under the sources; they do not "
              "name the topic.",
    },
    "topic_absent_compare": {
        "da": "Dokumenterne nævner ikke {words}.",
        "en": "Neither {words} nor any Danish word the assistant knows for the topic occurs in "
              "the documents.",
    },
    "nothing_found": {
        "da": "Jeg fandt ikke noget i dokumenterne, der besvarer spørgsmålet.",
        "en": "I found nothing in the documents that answers the question.",
    },
    "empty_index": {
        "da": "Indekset er tomt. Læg dokumenter i mappen og kør indeksering.",
        "en": "The index is empty. Put documents in the folder and run indexing.",
    },
    "filter_empty": {
        "da": "Ingen dokumenter passer til de valgte filtre.",
        "en": "No documents match the chosen filters.",
    },
    "theme_empty": {
        "da": "Ingen afsnit{scope} handler om {theme}. Spørg uden temanummeret for at søge i "
              "hele teksten.",
        "en": "No passage{scope} is about {theme}. Ask without the theme number to search all "
              "the text.",
    },
    "filter_excludes": {
        "da": "Spørgsmålet nævner {names}, men organisationsfilteret viser kun {chosen}. Fjern "
              "filteret, eller spørg om en af de valgte.",
        "en": "The question names {names}, but the organisation filter shows only {chosen}. "
              "Clear the filter, or ask about one of those chosen.",
    },
    "compare_intro": {
        "da": "Organisationerne om emnet:",
        "en": "What each organisation says (quoted in Danish):",
    },
    "silent": {
        "da": "siger ikke noget om emnet i dokumenterne",
        "en": "says nothing on the topic in its documents",
    },
    "outranked": {
        "da": "intet udsagn om emnet, der er lige så relevant som de øvriges",
        "en": "no statement on the topic as relevant as the others'",
    },
    "overview_intro": {
        "da": "Hovedpunkter, valgt som de udsagn der står mest centralt i hvert dokument og tager "
              "stilling (citeret, ikke omskrevet):",
        "en": "Main points, chosen as the statements most central to each document that take a "
              "position (quoted in Danish, not rewritten):",
    },
    "overview_no_points": {
        "da": "ingen hele sætninger at citere (kun overskrifter og korte linjer)",
        "en": "no whole sentences to quote (only headings and short lines)",
    },
    "overview_more": {
        "da": "{n} dokument(er) mere passer til spørgsmålet; nævn en kommune eller en dokumenttype "
              "(fx høringssvar) for at få overblik over dem.",
        "en": "{n} more document(s) match the question; name a municipality or a document type "
              "(e.g. hearing response) for an overview of them.",
    },
    "sources_intro": {
        "da": "Fra dokumenterne:",
        "en": "From the documents (quoted in Danish):",
    },
    "row_in_passing": {"da": "(kun i forbifarten)", "en": "(only in passing)"},
    "in_passing": {
        "da": "(Kun nævnt i forbifarten: i en titel, en opremsning eller et spørgsmål, ikke som "
              "et udsagn.)",
        "en": "(Mentioned only in passing: in a title, a list or a question, not as a statement.)",
    },
    "generation_failed": {
        "da": "Sprogmodellen kunne ikke skrive et svar ({reason}), så her er citaterne fra dokumenterne.",
        "en": "The language model could not write an answer ({reason}), so here are the quotes from the documents.",
    },
    "generation_unsupported": {
        "da": "Sprogmodellens svar havde ingen sætninger med gyldig kildehenvisning, så her er citaterne fra dokumenterne.",
        "en": "The language model's answer had no sentence with a valid source reference, so here are the quotes from the documents.",
    },
    "generation_dropped": {
        "da": "{n} sætning(er) uden gyldig kildehenvisning er fjernet fra det genererede svar.",
        "en": "{n} sentence(s) without a valid source reference were removed from the generated answer.",
    },
}

_GENERATION_REASONS = {
    "connection": {"da": "ingen forbindelse", "en": "no connection"},
    "timeout": {"da": "intet svar i tide", "en": "no reply in time"},
    "http": {"da": "serveren svarede med en fejl", "en": "the server returned an error"},
    "protocol": {"da": "ugyldigt svar fra serveren", "en": "invalid reply from the server"},
}


def generation_reason(kind: str, lang: str = "da") -> str:
    """Plain words for a :class:`errors.GenerationError` kind."""
    return _GENERATION_REASONS.get(kind, _GENERATION_REASONS["protocol"])[
        lang if lang in ("da", "en") else "da"]

_REASONS = {
    "unsupported": {"da": "filtypen understøttes ikke", "en": "file type not supported"},
    "empty": {"da": "filen er tom eller har ingen tekst", "en": "the file is empty or has no text"},
    "corrupt": {"da": "filen er beskadiget eller ikke et gyldigt dokument",
                "en": "the file is damaged or not a valid document"},
    "encrypted": {"da": "filen er krypteret (adgangskode)", "en": "the file is encrypted (password)"},
    "sidecar": {"da": "metadatafilen (.meta.json) er ugyldig", "en": "the metadata file (.meta.json) is invalid"},
    "outside": {"da": "genvejen peger uden for dokumentmappen", "en": "the link points outside the documents folder"},
    "unreadable": {"da": "filen kunne ikke læses", "en": "the file could not be read"},
    "upload": {"da": "filen blev afvist ved upload", "en": "the upload was refused"},
    "no_text": {"da": "PDF'en har ingen tekst (scannet); kør tekstgenkendelse (OCR) først",
                "en": "the PDF has no text (scanned); run text recognition (OCR) first"},
    "not_document": {"da": "filen er ikke et dokument (binære data)",
                     "en": "the file is not a document (binary data)"},
    "too_large": {"da": "filen er for stor", "en": "the file is too large"},
    "timeout": {"da": "det tog for lang tid at læse filen", "en": "reading the file took too long"},
    "crashed": {"da": "læsningen af filen gik ned", "en": "reading the file crashed"},
}


def text(key: str, lang: str = "da", **kwargs) -> str:
    return TEXT[key][lang if lang in ("da", "en") else "da"].format(**kwargs)


def silence(finding, lang: str = "da") -> str:
    """Why a comparison quotes nothing for an organisation: its documents never
    use the topic's words, or nothing it says comes close to the others'."""
    return text("outranked" if finding.outranked else "silent", lang)


def theme_empty(themes, scope, lang: str = "da") -> str:
    """No passage (of the organisations searched) is tagged with the theme the
    question names: Slagelse's case lists all ten themes and treats none."""
    where = f" {'from' if lang == 'en' else 'fra'} {joined(scope, lang)}" if scope else ""
    labels = [theme_label(t, lang) for t in themes]      # "Tema 2: ..." within a sentence
    return text("theme_empty", lang, scope=where,
                theme=joined([label[0].lower() + label[1:] for label in labels], lang))


def party(finding, lang: str = "da") -> str:
    """An organisation's name in a comparison, marked when it names the topic
    only in passing (a title, a list item, a question)."""
    return f"{finding.organisation} {text('row_in_passing', lang)}" if finding.in_passing \
        else finding.organisation


# a part of a document (assistant.kinds) as the answer says none is there
_PARTS = {
    "case_number": {"da": ("sagsnummer", "intet sagsnummer med betegnelse (Sagsnr., Sags ID, "
                                         "J.nr.)"),
                    "en": ("case number", "no labelled case number (Sagsnr., Sags ID, J.nr.)")},
    "signature": {"da": ("underskrift", "ingen underskrift (ingen hilsen med navne under)"),
                  "en": ("signature", "no signature (no closing with names under it)")},
    "attachments": {"da": ("bilag", "ingen bilag"), "en": ("attachments", "no attachments")},
    "recommendation": {"da": ("indstilling", "ingen indstilling"),
                       "en": ("recommendation", "no recommendation (indstilling)")},
    "decision": {"da": ("beslutning", "ingen beslutning"),
                 "en": ("decision", "no decision (beslutning)")},
}


def part_name(part: str, lang: str = "da") -> str:
    return _PARTS[part]["en" if lang == "en" else "da"][0]


def part_absent(part: str, scope, doc_types, lang: str = "da") -> str:
    """No document searched holds the part asked for: "Dokumenterne fra
    Aalborg Kommune har ingen underskrift ...", "Dokumenterne (nyhed) fra KL
    har ingen bilag" (KL's letter has)."""
    none = _PARTS[part]["en" if lang == "en" else "da"][1]
    kinds = [doc_type_label(t, lang) or t for t in doc_types]
    return text("part_absent_in" if scope else "part_absent", lang, none=none,
                scope=joined(scope or (), lang),
                types=f" ({joined(kinds, lang)})" if kinds else "")


def joined(names, lang: str = "da") -> str:
    """"Aalborg Kommune og Slagelse Kommune" / "... and ..."."""
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {'and' if lang == 'en' else 'og'} {names[-1]}"


def describe_failure(reason_code: str, detail: str, lang: str = "da") -> str:
    """'<reason in plain words> (<technical detail naming the file>)'."""
    plain = _REASONS.get(reason_code, _REASONS["unreadable"])[lang]
    return f"{plain} ({detail})"


def index_report(report, lang: str = "da") -> tuple[list[str], list[str]]:
    """What an indexing run did, as lines for the terminal and the web page:
    (what changed, what could not be indexed or is worth a note).  One wording
    for both, so the CLI and the app's update button never disagree."""
    da = lang != "en"
    done = [("Indekseret" if da else "Indexed") + f": {report.documents} "
            + ("dokumenter" if da else "documents") + f", {report.chunks} "
            + ("afsnit" if da else "chunks") + f" ({report.seconds:.1f} s)"]
    for label_da, label_en, items in (("nye", "new", report.added),
                                      ("ændrede", "changed", report.changed),
                                      ("fjernede", "removed", report.removed)):
        if items:
            done.append(f"{label_da if da else label_en}: " + ", ".join(items))
    if report.unchanged:
        done.append(f"{'uændrede' if da else 'unchanged'}: {len(report.unchanged)}")
    done.append(f"{'indlejrede afsnit' if da else 'chunks embedded'}: {report.embedded}"
                + (f" ({'hurtig motor' if da else 'fast engine'}: {report.engine})"
                   if report.engine else ""))
    if not report.written:
        done.append("Indekset var allerede opdateret." if da else "The index was already up to date.")
    problems = [("BEMÆRK: " if da else "NOTE: ") + w for w in report.warnings]
    problems += [("IKKE INDEKSERET: " if da else "NOT INDEXED: ")
                 + describe_failure(f.reason_code, f.reason, lang) for f in report.failures]
    return done, problems


def describe(exc: errors.AssistantError, lang: str = "da") -> str:
    """Friendly one-paragraph message for an exception; the technical text follows."""
    da = lang != "en"
    if isinstance(exc, errors.DocumentError):
        return f"{exc.path.name}: " + describe_failure(exc.reason_code, exc.reason, lang)
    if isinstance(exc, errors.IndexNotFound):
        lead = "Der er intet indeks endnu." if da else "There is no index yet."
    elif isinstance(exc, errors.EmbedderMismatch):
        lead = ("Indekset er bygget med en anden sprogmodel end den, der er valgt nu."
                if da else "The index was built with a different embedding model than the one configured.")
    elif isinstance(exc, errors.IndexWriteError):
        if exc.disk_full:
            lead = ("Disken er fuld, så det nye indeks kunne ikke gemmes; det hidtidige indeks "
                    "bruges stadig." if da else "The disk is full, so the new index could not "
                    "be saved; the previous index is still in use.")
        else:
            lead = ("Det nye indeks kunne ikke gemmes; det hidtidige indeks bruges stadig." if da
                    else "The new index could not be saved; the previous index is still in use.")
    elif isinstance(exc, (errors.IndexCorrupt, errors.IndexVersionMismatch)):
        lead = "Indekset er beskadiget eller forældet." if da else "The index is damaged or outdated."
    elif isinstance(exc, errors.IndexLocked):
        lead = "En anden indeksering kører allerede." if da else "Another indexing run is in progress."
    elif isinstance(exc, errors.QuestionSetError):
        lead = "Spørgsmålsfilen kan ikke bruges." if da else "The question file cannot be used."
    elif isinstance(exc, errors.InvalidQuestion):
        lead = "Spørgsmålet kan ikke bruges." if da else "The question cannot be used."
    elif isinstance(exc, errors.EmbedderError):
        lead = "Sprogmodellen kunne ikke indlæses." if da else "The embedding model could not be loaded."
    elif isinstance(exc, errors.GenerationError):
        lead = ("Sprogmodellen kunne ikke skrive et svar." if da
                else "The language model could not write an answer.")
    elif isinstance(exc, errors.ConfigError):
        lead = "En indstilling er forkert." if da else "A setting is wrong."
    else:
        lead = "Der opstod en fejl." if da else "An error occurred."
    return f"{lead} {exc}"


DOC_TYPE_LABELS = {
    "strategy": {"da": "strategi", "en": "strategy"},
    "summary": {"da": "resumé", "en": "summary"},
    "hearing_response": {"da": "høringssvar", "en": "hearing response"},
    "committee_case": {"da": "udvalgssag", "en": "committee case"},
    "news": {"da": "nyhed", "en": "news"},
    "letter": {"da": "brev", "en": "letter"},
    "other": {"da": "andet", "en": "other"},
}


_MONTHS = {"da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
                  "september", "oktober", "november", "december"),
           "en": ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")}


def _page_word(lang: str) -> str:
    return "p." if lang == "en" else "s."


def citation_number(rank: int, page: int | None, lang: str = "da") -> str:
    """"[n]", with the quote's own page when its passage spans several: "[n] (s. 6)"."""
    return f"[{rank}]" + (f" ({_page_word(lang)} {page})" if page else "")


def cited_quote(quote: str, rank: int, page: int | None, lang: str = "da") -> str:
    """A quote as the answer text shows it: «quote» [n] (s. 6)."""
    return f"«{quote}» {citation_number(rank, page, lang)}"


def moment(iso: str | None, lang: str = "da") -> str:
    """An ISO timestamp as people write it, in this machine's time zone:
    "2. december 2026 kl. 02.03 (CET)", "2 December 2026, 02:03 (CET)"."""
    from datetime import datetime

    try:
        t = datetime.fromisoformat(iso or "").astimezone()
    except ValueError:
        return iso or shown(UNKNOWN, lang)
    month = _MONTHS["en" if lang == "en" else "da"][t.month - 1]
    if lang == "en":
        return f"{t.day} {month} {t.year}, {t:%H:%M} ({t.tzname()})"
    return f"{t.day}. {month} {t.year} kl. {t:%H.%M} ({t.tzname()})"


def doc_type_label(doc_type: str | None, lang: str = "da") -> str | None:
    return DOC_TYPE_LABELS[doc_type][lang] if doc_type in DOC_TYPE_LABELS else None


def sources_heading(answer, lang: str = "da") -> str:
    """What the passages under an answer are: its sources, or, when the
    documents do not mention the topic, only the closest passages."""
    if answer.not_in_documents:
        return "Nærmeste afsnit (ikke et svar)" if lang != "en" else "Closest passages (not an answer)"
    return "Kilder" if lang != "en" else "Sources"


# The key summaries and overviews file a document under when its text (and
# sidecar) does not give the organisation or type: metadata is never guessed.
UNKNOWN = "?"


def shown(key: str, lang: str = "da") -> str:
    """A summary key as a reader sees it: the unknown key in words."""
    if key == UNKNOWN:
        return "ukendt" if lang != "en" else "unknown"
    return key


def cite(passage, lang: str = "da") -> str:
    """Full citation of a passage: title, organisation, type, date, section, page, file."""
    meta, chunk = passage.document.meta, passage.chunk
    da = lang != "en"
    parts = [meta.title or chunk.doc_id, meta.organisation, doc_type_label(meta.doc_type, lang),
             meta.date]
    if meta.case_number:
        parts.append(("sagsnr. " if da else "case no. ") + meta.case_number)
    if chunk.section:
        parts.append(("afsnit" if da else "section") + f" «{chunk.section}»")
    if chunk.page:
        pages = f"{chunk.page}-{chunk.page_end}" if chunk.spans_pages else f"{chunk.page}"
        parts.append(f"{_page_word(lang)} {pages}")
    parts.append(f"{chunk.doc_id}, " + ("tegn" if da else "chars") + f" {chunk.start}-{chunk.end}")
    return f"[{passage.rank}] " + " · ".join(p for p in parts if p)
