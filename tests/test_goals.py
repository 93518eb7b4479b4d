"""The strategy's goals named by number ("målsætning 2") are searched by their
wording and as asked."""
from __future__ import annotations

import pytest

from assistant.goals import find_goals, with_goal_words


@pytest.mark.parametrize("question, goals", [
    ("Hvad går målsætning 2 i strategien ud på?", [2]),
    ("Hvordan forholder Aalborg og Slagelse sig til målsætningen nr. 4?", [4]),
    ("What does goal 3 say?", [3]),
    ("Hvad er målet med temaet om sikkerhed?", []),
    ("Hvad er mål 2020?", []),          # a year
    ("Hvad siger tema 2 om borgerbetjening?", []),   # a theme, not a goal
    ("Er målsætning 5 nævnt?", []),     # the strategy has four goals
])
def test_goals_named_by_number(question, goals):
    assert find_goals(question) == goals


def test_goal_words_are_added_in_danish():
    assert with_goal_words("What does goal 3 say?").endswith(
        "(Den digitale udvikling sker i partnerskab med borgere og virksomheder)")
    assert with_goal_words("Hvad siger Aalborg om data?") == "Hvad siger Aalborg om data?"


def test_a_goal_question_finds_the_goal_and_what_is_said_about_it(shipped_assistant):
    what = shipped_assistant.ask("Hvad går målsætning 2 i strategien ud på?")
    assert "koncentrere sig om den grundlæggende digitale infrastruktur" in what.passages[0].chunk.text
    # Aalborg never names goal 2, but says what it thinks of its subject
    aalborg = shipped_assistant.ask("Hvad mener Aalborg om målsætning 2?")
    assert "mobil og bredbåndsdækning" in aalborg.answer
    # Slagelse's decision names it: kept near the top beside the goal's wording
    slagelse = shipped_assistant.search("Hvad siger Slagelse om målsætning 2?", 3)
    assert any("lægges vægt på målsætning 2" in p.chunk.text for p in slagelse)
