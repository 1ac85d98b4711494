"""Properties over generated inputs: the loader never raises, the checker is
deterministic, and ownership rules follow the claims wherever they are written."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.config import load_config
from checker.engine import check
from checker.loader import load_bytes, resolve_plain
from tests.conftest import write_tree

PARTY_IDS = ["ceo", "cio", "ciso", "cfo", "it-ops", "security-ops"]
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=300))
def test_loading_any_bytes_never_raises(data: bytes) -> None:
    loaded = load_bytes(data, "f.yaml")
    assert all(f.rule in ("yaml-syntax", "duplicate-key") for f in loaded.findings)


@SETTINGS
@given(st.text(min_size=1, max_size=40))
def test_resolving_any_plain_scalar_never_raises(text: str) -> None:
    resolve_plain(text)


# A duty: (id, accountable parties, responsible parties)
duties_strategy = st.lists(
    st.tuples(
        st.from_regex(r"[a-z]{1,6}\.[a-z]{1,6}", fullmatch=True),
        st.lists(st.sampled_from(PARTY_IDS), max_size=2, unique=True),
        st.lists(st.sampled_from(PARTY_IDS), min_size=1, max_size=2, unique=True),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda d: d[0],
)


def _parties() -> str:
    lines = ["apiVersion: raci/v1", "kind: Parties", "parties:"]
    lines += [f"  - {{id: {p}, name: {p}, type: role}}" for p in PARTY_IDS]
    return "\n".join(lines) + "\n"


def _run(duties: list[tuple[str, list[str], list[str]]], files: int, seed: int) -> set[tuple[str, str, str]]:
    """Write the duties split over `files` files (inline RACI or an assignment,
    chosen by `seed`) and return the identities of the findings."""
    rnd = random.Random(seed)
    tree = {"policies/parties.yaml": _parties()}
    duty_docs: dict[int, list[str]] = {}
    assignment_docs: dict[int, list[str]] = {}
    for duty, accountable, responsible in duties:
        duty_docs.setdefault(rnd.randrange(files), []).append(f"  - {{id: {duty}, title: {duty}}}")
        for party in accountable:
            assignment_docs.setdefault(rnd.randrange(files), []).append(f"  - {{duty: {duty}, accountable: {party}}}")
        assignment_docs.setdefault(rnd.randrange(files), []).append(
            f"  - {{duty: {duty}, responsible: [{', '.join(responsible)}]}}"
        )
    for n, items in duty_docs.items():
        tree[f"policies/duties-{n}.yaml"] = "apiVersion: raci/v1\nkind: Duties\nduties:\n" + "\n".join(items) + "\n"
    for n, items in assignment_docs.items():
        tree[f"policies/assign-{n}.yaml"] = (
            "apiVersion: raci/v1\nkind: Assignments\nassignments:\n" + "\n".join(items) + "\n"
        )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()
        write_tree(root, tree)
        report = check(config=load_config(cwd=root))
    return {(f.rule, f.subject, f.detail) for f in report.findings}


@SETTINGS
@given(duties_strategy, st.integers(1, 3), st.integers(0, 10**6), st.integers(0, 10**6))
def test_findings_do_not_depend_on_which_file_holds_a_claim(
    duties: list[tuple[str, list[str], list[str]]], files: int, seed_a: int, seed_b: int
) -> None:
    assert _run(duties, files, seed_a) == _run(duties, files, seed_b)


@SETTINGS
@given(duties_strategy, st.integers(0, 10**6))
def test_ownership_follows_the_accountable_claims(duties: list[tuple[str, list[str], list[str]]], seed: int) -> None:
    found = _run(duties, 2, seed)
    for duty, accountable, _ in duties:
        assert (("double-ownership", duty) in {(r, s) for r, s, _ in found}) == (len(accountable) >= 2)
        assert (("orphaned-duty", duty, "") in found) == (not accountable)
