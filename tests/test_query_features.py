"""English questions get Danish keywords; answers reuse stored statement vectors."""
from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.answer import ScoredSentence, compose
from assistant.models import Chunk, Document, DocumentMeta, Passage
from assistant.briefing import briefing_markdown
from assistant.evaluation import evaluate, load_questions, ranked_hits
from assistant.glossary import danish_keywords, with_danish_keywords
from assistant.overview import searched_in
from assistant.query import organisation_asked
from assistant.tokens import tokenize, words
from conftest import OFFTOPIC_QUESTIONS, OWN_QUESTIONS, PARALLEL_QUESTIONS, SHARED, make_assistant
from conftest import quoted_sentences as quotes


def test_glossary_translates_words_and_phrases_longest_first():
    words = danish_keywords("How should the municipalities submit their hearing responses?")
    assert "høringssvar" in words.split()          # the phrase, not "hearing" + "response"
    assert "høring" not in words.split()
    assert "kommune" in words.split() and "indsende" in words.split()
    assert danish_keywords("What is it about, and its cost?") == "koste udgifter omkostninger"
    assert danish_keywords("What about IT security?") == "it-sikkerhed"
    assert danish_keywords("Hvad siger Aalborg om sikkerhed?") == ""
    # how a document is built up: Fredensborg's strategy "er derfor bygget op omkring to
    # overordnede afsnit"
    assert danish_keywords("What two main sections is it built around?") == \
        "hoved overordnede afsnit bygget op omkring"
    # the embedded query of an English question carries the Danish words too
    assert with_danish_keywords("Who is the chairman of KL?") == "Who is the chairman of KL? (formand)"
    assert with_danish_keywords("Hvem er formand for KL?") == "Hvem er formand for KL?"
    # what is left of a question for a comparison is searched in the whole
    # question's language, when it is given
    assert with_danish_keywords("mention welfare technology?", "da") == "mention welfare technology?"
    assert "velfærdsteknologi" in with_danish_keywords("mention welfare technology?", "en")
    # a bare keyword: English when the glossary turns it into other words
    assert with_danish_keywords("security") != "security"
    assert with_danish_keywords("digital") == "digital" and with_danish_keywords("data") == "data"


def test_a_bare_english_keyword_is_searched_in_danish(shipped_assistant):
    """"security" alone has no stop word to tell its language; it used to be
    taken for Danish and told the documents never mention it."""
    answer = shipped_assistant.ask("security")
    assert not answer.not_in_documents and answer.language == "en"
    assert "sikkerhed" in answer.answer.lower()
    assert shipped_assistant.ask("sikkerhed").language == "da"


def test_an_english_question_finds_danish_text_by_keywords(shipped_assistant):
    retriever = shipped_assistant.retriever()
    question = "Who is the chairman of KL?"
    assert set(tokenize("formand")) <= set(retriever.keyword_tokens(question))
    top = shipped_assistant.search(question, 3, mode="bm25")
    assert top and any("formand" in p.chunk.text.lower() for p in top)


def test_a_statement_inside_a_long_passage_is_found(shipped_assistant):
    """The answer is one sentence of a passage mostly about other things (KL's
    letter: the enclosures, then how to reply and the deadline): ranking chunks
    by their best statement brings it into the top 5, whole-chunk vectors and
    BM25 alone leave it below (b-howto-tr, "Hvordan skal en kommune indsende
    sit høringssvar?": rank 5 against 7)."""
    question = next(q for q in load_questions(PARALLEL_QUESTIONS) if q["id"] == "b-howto-tr")

    def first_hit(bot) -> int | None:
        flags, _ = ranked_hits(bot, question, "hybrid")
        return next((i + 1 for i, hit in enumerate(flags) if hit), None)

    without = Assistant(shipped_assistant.settings.with_(sentence_weight=0.0),
                        embedder=shipped_assistant.embedder)
    assert first_hit(shipped_assistant) <= 5
    assert first_hit(without) is None or first_hit(without) > 5


def test_answering_embeds_only_the_question(tmp_path, fake_embedder):
    docs = tmp_path / "documents"
    docs.mkdir()
    (docs / "affald.txt").write_text(
        "# Affald\n\nMadaffald hentes hver anden uge. Storskrald hentes efter aftale. "
        "Genbrugspladsen har åbent alle dage.\n", encoding="utf-8")
    bot = make_assistant(tmp_path, fake_embedder)
    bot.index(show_progress=False)
    fake_embedder.embedded.clear()
    answer = bot.ask("Hvornår hentes madaffald?")
    assert "Madaffald hentes hver anden uge." in answer.answer
    assert fake_embedder.embedded == []  # statement vectors come from the index


def test_a_topic_the_documents_never_mention_is_not_answered(shipped_assistant):
    """"Hvad siger Aalborg om vindmøller?": Aalborg's closest passages are
    offered to look through, but nothing is quoted as Aalborg's view."""
    answer = shipped_assistant.ask("Hvad siger Aalborg om vindmøller?")
    assert answer.not_in_documents == ("vindmøller",) and "«vindmøller»" in answer.answer
    assert answer.to_dict()["not_in_documents"] == ["vindmøller"]
    assert answer.passages and not any(p.highlights for p in answer.passages)
    assert {p.document.meta.organisation for p in answer.passages} == {"Aalborg Kommune"}
    # a meeting note made from it does not call them sources
    note = briefing_markdown(answer)
    assert "## Nærmeste afsnit (ikke et svar)" in note and "## Kilder" not in note
    # a compound whose head the documents use is a topic they do mention
    security = shipped_assistant.ask("Hvad siger Aalborg om informationssikkerhed?")
    assert not security.not_in_documents and "«" in security.answer
    # a comparison on such a topic lists every organisation as silent
    sewers = shipped_assistant.ask("Hvad siger kommunerne om kloakering?")
    assert sewers.not_in_documents == ("kloakering",) and not sewers.passages
    assert sewers.comparison and all(f.silent for f in sewers.comparison)


def test_anyone_is_not_a_topic(shipped_assistant):
    """"Er der nogen, der nævner GDPR?": "nogen" ("anyone") occurs in the
    documents, GDPR does not; the word asks who, it names no topic."""
    for question, word in (("Er der nogen, der nævner GDPR?", "GDPR"),
                           ("Does anyone mention GDPR?", "GDPR")):
        answer = shipped_assistant.ask(question)
        assert answer.not_in_documents == (word,), answer.answer


def test_a_topic_the_named_municipality_never_mentions_is_not_answered(shipped_assistant):
    """Aalborg writes about telemedicine, Slagelse does not: asked what Slagelse
    says, nothing of Slagelse's is quoted as if it were about telemedicine."""
    answer = shipped_assistant.ask("Hvad siger Slagelse om telemedicin?")
    assert answer.not_in_documents == ("telemedicin",)
    assert "Dokumenterne fra Slagelse Kommune nævner ikke «telemedicin»" in answer.answer
    assert answer.passages and not any(p.highlights for p in answer.passages)
    assert {p.document.meta.organisation for p in answer.passages} == {"Slagelse Kommune"}
    english = shipped_assistant.ask("What does Fredensborg say about broadband?")
    assert english.not_in_documents and "documents from Fredensborg Kommune" in english.answer
    aalborg = shipped_assistant.ask("Hvad siger Aalborg om telemedicin?")
    assert not aalborg.not_in_documents and "telemedicin" in aalborg.answer


def test_kl_asked_for_its_view_is_searched_in_kls_documents(shipped_assistant):
    """KL is not a municipality, but "Hvad siger KL om ..." asks for KL's view:
    KL's letter and news never mention telemedicine or security, so nothing of
    Aalborg's is quoted instead.  KL named otherwise is part of the topic."""
    for question, word in [("Hvad siger KL om telemedicin?", "«telemedicin»"),
                           ("What does KL think about security?", "«security»")]:
        answer = shipped_assistant.ask(question)
        assert answer.not_in_documents and word in answer.answer
        assert {p.document.meta.organisation for p in answer.passages} == {"KL"}
    politics = shipped_assistant.ask("Is digitalisation just a question of technology according to KL?")
    assert {p.document.meta.organisation for p in politics.passages} == {"KL"}
    asks = shipped_assistant.ask("Which overall questions does KL ask the municipalities to answer?")
    assert "Slagelse Kommune" in {p.document.meta.organisation for p in asks.passages}
    # its own documents and its view, by the possessive
    case = shipped_assistant.ask("What is the case number of KL's letter?")
    assert "«Sags ID: SAG-2015-00810»" in case.answer.splitlines()[1], case.answer
    assert organisation_asked("Hvad er KL's holdning til data?", ["KL"]) == \
        ("KL", "Hvad er holdning til data?")
    assert organisation_asked("Hvad siger kommunerne om KL's forslag?", ["KL"]) is None
    # a stance is a view too: "Hvad kritiserer KL?" asks KL, not those who name KL
    assert organisation_asked("Hvad kritiserer KL?", ["KL"]) == ("KL", "Hvad kritiserer ?")
    assert organisation_asked("What does KL criticise?", ["KL"]) == ("KL", "What does criticise?")
    # "view" asks for the view; it is not a topic KL's documents would have to name
    view = shipped_assistant.ask("What is KL's view on security?")
    assert view.not_in_documents == ("security",) and "«view»" not in view.answer
    # a possessive's "s" is not English: the answer is in Danish
    assert shipped_assistant.ask("Hvem er KL's formand?").answer.startswith("Fra dokumenterne")
    assert organisation_asked("Hvad siger kl. 10 mødet?", ["KL"]) is None
    assert organisation_asked("Who is the chairman of KL?", ["KL"]) is None


def test_a_compound_the_documents_never_use_is_searched_by_its_head(shipped_assistant):
    """No document says "høringsfrist"; KL's letter says "Frist for svar på
    høringen".  The keyword search looks for the compound's head, so the
    deadline is what the answer quotes first, not the dialogue meetings that
    the embedder ranks close to a "when" question."""
    retriever = shipped_assistant.retriever()
    assert retriever.lexicon().keyword_query(tokenize("høringsfristen")) == tokenize("frist")
    assert shipped_assistant.search("Hvornår er høringsfristen?", 3, mode="bm25")
    answer = shipped_assistant.ask("Hvornår er høringsfristen?")
    first = answer.answer.splitlines()[1]
    assert "Frist for svar på høringen er mandag den 20. april 2015" in first, answer.answer


def test_a_verb_form_of_a_word_the_documents_use_is_a_topic_they_mention(shipped_assistant):
    """"besluttede" stems to "beslutted", the minutes say "Beslutning": the
    same root, so the question is answered with the committee's decision, not
    told that the documents never mention it."""
    answer = shipped_assistant.ask("Hvad besluttede Slagelse?")
    assert not answer.not_in_documents
    assert "lægges vægt på målsætning 2" in answer.answer


def test_a_word_is_searched_by_the_forms_the_documents_searched_use(shipped_assistant):
    """Snowball leaves "-ing" on: "indstiller" is "indstil", Fredensborg's
    heading "Indstilling" is "indstilling".  A form that goes on from the
    question's whole word counts for the topic check, a word no document uses
    is searched by its root's other forms, and within one municipality's
    documents by the forms they use (Aalborg writes only "indstiller")."""
    lexicon = shipped_assistant.retriever().lexicon()
    fredensborg = shipped_assistant.retriever().rows_where(["Fredensborg Kommune"])
    aalborg = shipped_assistant.retriever().rows_where(["Aalborg Kommune"])
    assert lexicon.topic_terms(tokenize("indstiller"), fredensborg)[0] == tokenize("indstiller")
    assert lexicon.keyword_query(tokenize("besluttede")) == tokenize("beslutning")
    assert lexicon.keyword_query(tokenize("indstillingen")) == tokenize("indstillingen")
    assert lexicon.keyword_query(tokenize("indstillingen"), aalborg) == tokenize("indstiller")
    answer = shipped_assistant.ask("Hvad indstiller forvaltningen i Fredensborg?")
    assert not answer.not_in_documents, answer.answer


def test_a_question_for_the_recommendation_quotes_the_recommendation(shipped_assistant):
    """A committee case's recommendation stands under its "Indstilling"
    heading (Fredensborg's, merged with the small sections before it) or after
    "... indstiller,"; asked for, it is what the answer quotes, not the
    case's talk about its strategy that e5 ranks near the question."""
    for question in ("Hvad indstiller forvaltningen i Fredensborg?",
                     "What does the administration in Fredensborg recommend?"):
        lines = shipped_assistant.ask(question).answer.splitlines()
        assert len(lines) == 2, lines
        assert "«1. At Økonomiudvalget anbefaler den ny digitaliserings- og kanalstrategi " \
            "2015-2018 for Byrådet.»" in lines[1], lines
    for question in ("Hvad indstiller forvaltningen i Aalborg?", "Hvad er indstillingen i Aalborg?",
                     "What is the recommendation in Aalborg's case?"):
        lines = shipped_assistant.ask(question).answer.splitlines()
        assert "«Borgmesterens Forvaltning indstiller, efter anbefaling" in lines[1], lines


def test_asked_for_the_recommendation_all_three_cases_give_theirs(shipped_assistant):
    """Aalborg's recommendation opens its document, above ten sections on the
    strategy's themes that e5 puts nearer "Hvad er indstillingen i Aalborg?":
    it was not among the passages, and the answer quoted welfare technology.
    A part of a document asked for is also searched among the chunks holding
    one; and "indstilling", the word naming the part, is no topic: Fredensborg's
    decision "Anbefaler Økonomiudvalgets indstilling." shares it, and was the
    only quote for "Hvad er indstillingen?"."""
    said = quotes(shipped_assistant.ask("Hvad er indstillingen?"))
    assert len(said) == 3, said
    assert said[0].startswith("1. At Økonomiudvalget anbefaler"), said
    assert any(q.startswith("Økonomi- og vicekommunaldirektøren indstiller") for q in said)
    assert any(q.startswith("Borgmesterens Forvaltning indstiller") for q in said)


def test_an_english_question_on_length_finds_aalborgs_remark_on_it(shipped_assistant):
    """Aalborg: "Teksten er meget lang (33 sider) og den kan med fordel
    gennemskrives og forkortes."  Without Danish words for "shortened" the
    question was declined as about nothing the documents mention."""
    assert "forkortes" in danish_keywords("Should the text be shortened?").split()
    answer = shipped_assistant.ask("Should the text be shortened?")
    assert any(q.startswith("Teksten er meget lang (33 sider)") for q in quotes(answer)), \
        answer.answer


def test_words_keep_numbers_whole_and_split_joined_words():
    """A number keeps its dots and dashes ("27.001", a period "2015-2018");
    a word joined by a dash or a dot is its parts ("it-projekter")."""
    assert words("ISO 27.001 i it-projekter 2015-2018, jf. sagen.") == \
        ["iso", "27.001", "i", "it", "projekter", "2015-2018", "jf", "sagen"]


def test_a_lead_in_is_quoted_with_what_it_introduces(shipped_assistant):
    """A line ending in a colon or comma says nothing alone: the recommendation
    is quoted with its numbered points."""
    answer = shipped_assistant.ask("Hvad indstiller Økonomi- og vicekommunaldirektøren i Slagelse?")
    quote = next(line for line in answer.answer.splitlines() if "indstiller," in line)
    assert "Økonomiudvalget drøfter forslaget" in quote and "Der afgives en vurdering" in quote
    top = answer.passages[0]
    assert any(top.document.text[s:e].startswith("Økonomi- og vicekommunaldirektøren indstiller")
               and "Der afgives en vurdering" in top.document.text[s:e]
               for s, e in top.highlights)


def test_off_topic_questions_declined_and_answerable_ones_answered(shipped_assistant):
    questions = [*load_questions(OFFTOPIC_QUESTIONS), *load_questions(OWN_QUESTIONS),
                 *load_questions(SHARED / "eval" / "questions.jsonl")]
    figures = evaluate(shipped_assistant, questions, {"hybrid": ("hybrid", {})})["no_answer"]
    assert figures["n"] == 28 and figures["declined"] == 28
    assert figures["answerable_declined"] == []


def test_the_quoted_answer_is_the_sentence_that_answers(shipped_assistant):
    """Statements are not rewarded for repeating words every candidate shares:
    KL's "Digitalisering er politik" is quoted, not a sentence that merely
    names KL and the municipalities; a "when" question quotes the one with
    the date."""
    politics = shipped_assistant.ask("Is digitalisation just a question of technology according to KL?")
    assert "Digitalisering er ikke længere blot et spørgsmål om teknologi" in politics.answer
    finished = shipped_assistant.ask(
        "When is the joint public-sector digitalisation strategy expected to be finished?")
    assert "oktober 2015" in finished.answer


def test_a_how_many_question_quotes_the_number(shipped_assistant):
    """Aalborg's response says "Teksten er meget lang (33 sider)"; asked how
    many pages the strategy has, that is the sentence quoted first, not one
    that only shares the word "strategien"."""
    answer = shipped_assistant.ask("Hvor mange sider er strategien?")
    assert "(33 sider)" in answer.answer.splitlines()[1], answer.answer
    # "fristen" asks for a time as "hvornår" does: the date comes first (a shipped example)
    deadline = shipped_assistant.ask("Hvad er fristen for at sende høringssvar til KL?")
    assert "20. april 2015" in deadline.answer.splitlines()[1], deadline.answer
    themes = shipped_assistant.ask("Hvor mange temaer har strategien?")
    assert "strategiens 10 temaer" in themes.answer.splitlines()[1], themes.answer


def test_a_period_is_not_an_answer_to_when(shipped_assistant):
    """"2015-2018" names the channel strategy's period; asked when the strategy
    is brought up to date (a shipped example question), the answer quotes
    "ajourføres årligt", not three sentences that only restate its name."""
    answer = shipped_assistant.ask(
        "Hvornår skal Fredensborgs digitaliserings- og kanalstrategi ajourføres?")
    assert "ajourføres årligt" in answer.answer, answer.answer


def test_a_lead_in_and_a_line_it_brings_are_quoted_once():
    """When a listed point outscores its lead-in, the lead-in (which quotes the
    point with it) replaces it rather than repeating it."""
    text = "Direktøren indstiller,\n\n1. at udvalget godkender budgettet\n2. at sagen sendes videre"
    doc = Document("d.txt", "/d.txt", "h", DocumentMeta(organisation="Testby Kommune"), text)
    chunk = Chunk("d.txt#0", "d.txt", 0, len(text), text)
    passage = Passage(rank=1, chunk=chunk, document=doc, score=1.0)
    item, lead = (text.index("1. at"), text.index("budgettet") + 9), (0, len(text))
    scored = [ScoredSentence(0, *item, 0.90), ScoredSentence(0, *lead, 0.88)]
    answer, (marked,) = compose([passage], scored, 3, "Fra dokumenterne:")
    assert answer.count("1. at udvalget godkender budgettet") == 1
    assert "«Direktøren indstiller, 1. at udvalget godkender budgettet 2. at sagen" in answer
    assert marked.highlights == (lead,)


@pytest.mark.parametrize("question, missing", [
    ("What does Aalborg say about artificial intelligence?", ("artificial", "intelligence")),
    ("What does Aalborg say about AI?", ("AI",)),
    ("Which municipalities mention artificial intelligence?", ("artificial", "intelligence")),
])
def test_an_english_word_is_no_danish_root_form(shipped_assistant, question, missing):
    """Stemmed as Danish, "intelligence" shared its root with Aalborg's
    "intelligent ledelsesinformation": the topic counted as mentioned and
    unrelated lines were quoted. "AI" is a word the index drops; the
    glossary's "kunstig intelligens" occurs nowhere either."""
    answer = shipped_assistant.ask(question)
    assert answer.not_in_documents == missing, answer.answer
    assert all(f.silent for f in answer.comparison)


def test_the_document_a_question_searches_in_is_where_to_look(shipped_assistant):
    """"i pressemeddelelsen", "in its letter", "i sit høringssvar" say where to
    look: the word searched for drew sentences about hearing responses
    ("... kommunens høringssvar skal afleveres i") ahead of those on data."""
    assert searched_in("Hvad skriver Aalborg i sit høringssvar om data?") == \
        (["hearing_response"], "Hvad skriver Aalborg om data?")
    assert searched_in("What does KL write in its letter about the deadline?") == \
        (["letter"], "What does KL write about the deadline?")
    assert searched_in("Hvad er fristen for høringssvar?") == ([], "Hvad er fristen for høringssvar?")
    news = shipped_assistant.ask("Hvad står der i pressemeddelelsen om velfærdsteknologi?")
    assert {p.document.meta.doc_type for p in news.passages} == {"news"}
    data = shipped_assistant.ask("Hvad skriver Aalborg i sit høringssvar om data?")
    assert "data" in quotes(data)[0].lower(), data.answer
    assert not any("høringssvar" in q for q in quotes(data)), data.answer
    # named as what is asked about, it is no topic a document must hold: KL's news, in brief
    assert shipped_assistant.ask("Hvad skriver KL i nyheden?").answer.startswith("Hovedpunkter")
    assert shipped_assistant.ask("What does KL write in the news item?").answer.startswith(
        "Main points")


def test_a_body_named_after_its_field_is_not_about_it(shipped_assistant):
    """Slagelse's label line "Kompetence: Økonomiudvalget" was quoted first for
    what the case says about the economy."""
    assert "Kompetence: Økonomiudvalget" not in quotes(
        shipped_assistant.ask("Hvad står der i sagen om økonomi?"))


def test_a_recommendation_headed_as_other_councils_head_it_is_found(tmp_path, docs_dir,
                                                                      fake_embedder):
    """Many councils head a case's recommendation "Forslag til beslutning"
    rather than "Indstilling"; asked for the recommendation, that is what is
    quoted, and a case with neither is said to have none."""
    (docs_dir / "horsens-byraad-sag.txt").write_text(
        "Punkt 4. Digitaliseringsstrategi\n\nSagsfremstilling\n\nKL har sendt et forslag til en "
        "ny fælleskommunal digitaliseringsstrategi i høring hos kommunerne.\n\n"
        "Forslag til beslutning\n\nForvaltningen foreslår, at udvalget godkender høringssvaret "
        "til KL.\n\nBeslutning\n\nGodkendt af udvalget uden bemærkninger.\n", encoding="utf-8")
    (docs_dir / "odder-notat.txt").write_text(
        "Notat om digitalisering\n\nOdder Kommune arbejder med digital selvbetjening og "
        "velfærdsteknologi i hele kommunen.\n", encoding="utf-8")
    bot = make_assistant(tmp_path, fake_embedder)
    bot.index(show_progress=False)
    said = quotes(bot.ask("Hvad er indstillingen i Horsens?"))
    assert said == ["Forvaltningen foreslår, at udvalget godkender høringssvaret til KL."], said
    assert "ingen indstilling" in bot.ask("Hvad er indstillingen i Odder?").answer
