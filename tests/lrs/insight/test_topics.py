"""The rule that links a course's topic to content, on a small set worked out by hand."""

from __future__ import annotations

import pytest

from lrs.insight.topics import MIN_LENGTH, STOP_WORDS, Topic, keywords, link


def test_keywords_fold_case_split_on_non_letters_and_drop_stop_words() -> None:
    assert keywords("PostgreSQL/Overview") == {"postgresql"}
    assert keywords("Notes from the Data Privacy & GDPR course") == {"data", "privacy", "gdpr"}
    assert keywords("customer-success", "K8s 101: Pods") == {"customer", "success", "k8s", "pods"}
    # Letters of any script; the stop words are English ones.
    assert keywords("Ökonomie für Führungskräfte") == {"ökonomie", "für", "führungskräfte"}
    assert keywords("A guide to IT", None, "") == frozenset()  # "it": shorter than 3
    assert MIN_LENGTH == 3 and {"the", "course", "notes", "overview"} <= STOP_WORDS


@pytest.mark.parametrize(
    ("course", "content", "linked"),
    [
        # A shared tag wins, and says which.
        (Topic.of("Kiln Safety", ["ceramics"]), Topic.of("Open day", ["ceramics", "x"]),
         "tag: ceramics"),
        # No tag in common: shared keywords of titles and tags.
        (Topic.of("PostgreSQL Performance"), Topic.of("PostgreSQL/Overview"), "words: postgresql"),
        (Topic.of("Data Privacy & GDPR"), Topic.of("Data Privacy: five lessons from the field"),
         "words: data, privacy"),
        (Topic.of("Customer Empathy"), Topic.of("Escalations", ["customer-success"]),
         "words: customer"),
        # Only stop words in common, or nothing.
        (Topic.of("Python Essentials course"), Topic.of("Course notes: essentials"), None),
        (Topic.of("Negotiation Skills"), Topic.of("Cleaning rota"), None),
    ],
)  # fmt: skip
def test_link_by_tag_else_by_keywords(course: Topic, content: Topic, linked: str | None) -> None:
    assert link(course, content) == linked
