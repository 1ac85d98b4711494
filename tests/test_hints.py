"""'Did you mean' hints: the slips people make, no hint for the hopeless, at a bounded cost."""

from __future__ import annotations

import random
import string
import time

import pytest

from checker.hints import Suggester, did_you_mean

KNOWN = ["ceo", "cio", "ciso", "it-ops", "security-ops", "risk_committee", "sec.vuln-patching", "fy27-it-capex"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("cisco", "ciso"),  # insertion
        ("cso", "ciso"),  # deletion
        ("sevurity-ops", "security-ops"),  # substitution
        ("icso", "ciso"),  # adjacent transposition
        ("sec.vuln-pathcing", "sec.vuln-patching"),  # transposition in a long id
        ("it-opps", "it-ops"),
        ("fy27-it-capx", "fy27-it-capex"),
    ],
)
def test_typos(word: str, expected: str) -> None:
    assert did_you_mean(word, KNOWN) == f" (did you mean {expected!r}?)"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("CISO", "ciso"),
        ("Ciso", "ciso"),
        (" ciso", "ciso"),
        ("ciso ", "ciso"),
        ("it_ops", "it-ops"),
        ("IT Ops", "it-ops"),
        ("Security_Ops", "security-ops"),
        ("risk-committee", "risk_committee"),
        ("Risk Committee", "risk_committee"),
    ],
)
def test_case_whitespace_and_separator_slips(word: str, expected: str) -> None:
    assert did_you_mean(word, KNOWN) == f" (did you mean {expected!r}?)"


@pytest.mark.parametrize("word", ["zzzzzz", "procurement", "x", "completely-different", ""])
def test_nothing_close_gives_no_hint(word: str) -> None:
    assert did_you_mean(word, KNOWN) == ""


@pytest.mark.parametrize("word", KNOWN)
def test_known_word_gets_no_hint(word: str) -> None:
    assert did_you_mean(word, KNOWN) == ""
    assert Suggester(KNOWN).suggest(word) is None


def test_no_known_words() -> None:
    assert did_you_mean("ciso", []) == ""


def test_very_long_word_gets_no_hint() -> None:
    assert did_you_mean("ciso" + "x" * 500, KNOWN) == ""


def test_suggester_is_reusable_and_accepted_by_did_you_mean() -> None:
    suggester = Suggester(KNOWN)
    assert suggester.suggest("cisco") == "ciso"
    assert suggester.suggest("cisco") == "ciso"
    assert did_you_mean("it_ops", suggester) == " (did you mean 'it-ops'?)"
    assert suggester.suggest("nothing-like-it") is None


def test_suggestion_is_deterministic() -> None:
    # Two ids are one edit away; the answer must not depend on set order.
    known = ["team-a", "team-b", "team-c"]
    answers = {Suggester(list(order)).suggest("team-x") for order in (known, known[::-1], known[1:] + known[:1])}
    assert len(answers) == 1
    assert answers <= set(known)


@pytest.mark.parametrize("known", [["SOS", "USD"], ["USD", "SOS"]])
def test_a_tie_prefers_the_longest_shared_prefix(known: list[str]) -> None:
    # Both candidates score the same: the one sharing `US` wins (a typo is likelier late in a word).
    assert did_you_mean("USS", known) == " (did you mean 'USD'?)"


def test_cost_is_bounded_for_many_ids_and_many_unknown_words() -> None:
    rng = random.Random(20270331)
    alphabet = string.ascii_lowercase + string.digits
    domains = ["sec", "it", "fin", "hr", "legal", "iam", "data", "ops"]
    known = sorted(
        {f"{rng.choice(domains)}.{''.join(rng.choices(alphabet, k=rng.randint(4, 12)))}-{i}" for i in range(20_000)}
    )
    assert len(known) == 20_000
    known_set = set(known)
    unknown = []
    for i in range(5_000):
        word = rng.choice(known)
        if i % 2:  # half are near misses: the index has candidates to rank
            j = rng.randrange(len(word))
            word = word[:j] + rng.choice(alphabet) + word[j + 1 :]
            if word in known_set:
                word += "?"
        else:  # half are unrelated words
            word = "".join(rng.choices(alphabet + "-.", k=rng.randint(3, 40)))
        unknown.append(word)
    start = time.perf_counter()
    suggester = Suggester(known)
    hints = [did_you_mean(word, suggester) for word in unknown]
    elapsed = time.perf_counter() - start
    assert elapsed < 10.0, f"{elapsed:.1f} s for 5,000 lookups among 20,000 ids"
    assert sum(1 for hint in hints if hint) >= 2_000
