"""Properties over generated inputs: the loader never raises, the checker is
deterministic, ownership rules follow the claims wherever they are written, and
splits that add up exactly are never reported while the others always are."""

from __future__ import annotations

import datetime
import json
import random
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from checker.config import load_config
from checker.engine import Report, check
from checker.finding import Finding, Location, Severity
from checker.loader import load_bytes, resolve_plain
from checker.reporters import REPORTERS, render
from checker.reporters.json_ import finding_line, finding_to_json
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


# ---------------------------------------------------------------------------
# Generated policy sets: parties, duties whose RACI is split between inline
# `raci:` and Assignments entries, pools and budgets, written as YAML text over
# several files, then mutated in hostile ways. Only the public entry point
# (`check` on a folder) and the JSON report are used, so these properties hold
# whatever shape the model takes inside.
# ---------------------------------------------------------------------------

LETTERS = ("accountable", "responsible", "consulted", "informed")
# Never defined: references to them are `unknown-party`; "cisoo" is a typo of a real id.
GHOST_PARTIES = ["ghost", "cisoo", "former-cto"]
GHOST_DUTIES = ["sec.gone-1", "it.tpyo-2"]  # a hyphen: never a generated duty id
PARTY_TYPES = ["role", "team", "person", "committee"]
# Digits after the point per currency; ABC is no ISO 4217 code (money-format).
CURRENCIES = {"USD": 2, "EUR": 2, "JPY": 0, "KWD": 3, "ABC": 2}
PERIODS = ["FY2027", "FY2028", '"2027"']
POOL_IDS = ["capex", "opex"]
KIND_OF = {
    "parties": "Parties",
    "duties": "Duties",
    "assignments": "Assignments",
    "pools": "Budgets",
    "budgets": "Budgets",
}
# Rules whose subject is the file's own name: renaming a file renames the subject.
FILE_RULES = {"yaml-syntax", "duplicate-key", "schema"}
TODAY = datetime.date(2027, 1, 1)
# Without the explain phase: it traces every line, and shrinking a failure would outlast the hang guard.
HEAVY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)

# Mostly parties that the set may define, now and then one it never does.
party_refs = st.sampled_from([*PARTY_IDS, *PARTY_IDS, *GHOST_PARTIES])
# Where a claim is written: None = the duty's inline `raci:`, n = its n-th Assignments entry.
places = st.sampled_from([None, 0, 1, 2])
_lower = "abcdefghijklmnopqrstuvwxyz"
duty_ids = st.builds("{}.{}".format, st.text(_lower, min_size=2, max_size=4), st.text(_lower, min_size=1, max_size=5))
titles = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), min_size=1, max_size=20)


def _fixed(units: int, places: int) -> str:
    """`units` x 10^-places written out in full, as YAML reads it exactly: (3334, 2) -> 33.34."""
    if places == 0:
        return str(units)
    whole, fraction = divmod(units, 10**places)
    return f"{whole}.{fraction:0{places}d}"


def _flow(fields: dict[str, str]) -> str:
    """A flow mapping from keys to values that are already YAML text."""
    return "{" + ", ".join(f"{key}: {value}" for key, value in fields.items()) + "}"


def _seq(values: list[str]) -> str:
    return "[" + ", ".join(values) + "]"


@dataclass
class Item:
    """One entry of a policy list (`parties`, `duties`, ...), its values written as YAML text."""

    key: str
    about: str  # the id it defines, or the duty an assignment names
    fields: dict[str, str]

    @property
    def kind(self) -> str:
        return KIND_OF[self.key]


Claim = tuple[str, str, int | None]  # letter, party, place


@dataclass
class Duty:
    """A duty and its claims, each to be written inline or in one of its Assignments entries."""

    id: str
    title: str
    claims: list[Claim]
    bare: bool  # write a lone party as `ciso`, not `[ciso]` (the schema allows both)

    def letters(self, claims: list[Claim]) -> dict[str, str]:
        out = {}
        for letter in LETTERS:
            named = list(dict.fromkeys(party for lt, party, _ in claims if lt == letter))
            if named:
                out[letter] = named[0] if self.bare and len(named) == 1 else _seq(named)
        return out

    def items(self) -> list[Item]:
        fields = {"id": self.id, "title": json.dumps(self.title, ensure_ascii=False)}
        inline = [c for c in self.claims if c[2] is None]
        if inline:
            fields["raci"] = _flow(self.letters(inline))
        entries = sorted({c[2] for c in self.claims if c[2] is not None})
        assigned = [self.letters([c for c in self.claims if c[2] == n]) for n in entries]
        return [Item("duties", self.id, fields)] + [
            Item("assignments", self.id, {"duty": self.id, **letters}) for letters in assigned
        ]


@dataclass
class Spec:
    """A policy set before it is written out."""

    parties: dict[str, dict[str, str]]  # id -> fields
    duties: list[Duty]
    others: list[Item]  # pools, budgets, assignments naming undefined duties

    def items(self) -> list[Item]:
        parties = [Item("parties", pid, fields) for pid, fields in self.parties.items()]
        return parties + [item for duty in self.duties for item in duty.items()] + self.others


# --- Budget splits ---------------------------------------------------------

Share = tuple[str, int, int]  # "percent" or "amount", units, places: ("percent", 3334, 2) is 33.34
MAX_PLACES = 30  # decimal places the budgets schema allows in an amount or percent


def _partition(draw: st.DrawFn, whole: int, parts: int) -> list[int]:
    """`whole` cut into `parts` positive integers."""
    if parts == 1:
        return [whole]
    cuts = sorted(draw(st.lists(st.integers(1, whole - 1), min_size=parts - 1, max_size=parts - 1, unique=True)))
    return [b - a for a, b in zip([0, *cuts], [*cuts, whole], strict=True)]


def _finite_decimal(value: Fraction) -> tuple[int, int] | None:
    """(units, places) writing `value` exactly with at most MAX_PLACES places, if it can be."""
    for places in range(MAX_PLACES + 1):
        scaled = value * 10**places
        if scaled.denominator == 1:
            return scaled.numerator, places
    return None


# Amounts made of twos and fives have many parts that are finite percentages.
round_amounts = st.builds(lambda a, b, m: 2**a * 5**b * m, st.integers(0, 8), st.integers(0, 8), st.integers(1, 12))


@st.composite
def exact_shares(draw: st.DrawFn, digits: int) -> tuple[int, list[Share]]:
    """A budget amount in minor units, and splits adding up to exactly 100% of it."""
    n = draw(st.integers(1, 4))
    if draw(st.booleans()):
        # Percents only, with as many decimals as the currency and a few more: 33.33 + 33.33 + 33.34.
        places = draw(st.integers(0, digits + 2))
        amount = draw(st.integers(1, 10**9))
        return amount, [("percent", units, places) for units in _partition(draw, 100 * 10**places, n)]
    # The money cut into parts, each written as an amount or, when it is a finite decimal, as a percent.
    amount = draw(st.integers(n, 10**9) | round_amounts.map(lambda a: a * n))
    shares: list[Share] = []
    for part in _partition(draw, amount, n):
        percent = _finite_decimal(Fraction(100 * part, amount))
        if percent is not None and draw(st.booleans()):
            shares.append(("percent", *percent))
        else:
            shares.append(("amount", part, digits))
    return amount, shares


@st.composite
def off_shares(draw: st.DrawFn, digits: int, finest: int = MAX_PLACES) -> tuple[int, list[Share]]:
    """Exact splits spoilt by a nudge of one share (at most `finest` decimal places), one share
    less, one more, or a resized budget."""
    amount, shares = draw(exact_shares(digits))
    has_amount = any(kind == "amount" for kind, _, _ in shares)
    how = draw(st.sampled_from(["nudge", "drop", "extra"] + (["resize"] if has_amount else [])))
    if how == "drop" and len(shares) > 1:  # (a lone share is nudged instead)
        del shares[draw(st.integers(0, len(shares) - 1))]
    elif how == "extra":
        if draw(st.booleans()):
            shares.append(("percent", draw(st.integers(1, 100)), 0))
        else:
            shares.append(("amount", draw(st.integers(1, amount)), digits))
    elif how == "resize":
        amount += 1 if amount == 1 or draw(st.booleans()) else -1
    else:
        # Far below the currency's minor unit too: 33.333333333333333333333 three times is not 100.
        i = draw(st.integers(0, len(shares) - 1))
        kind, units, places = shares[i]
        finer = draw(st.integers(0, max(0, finest - places)))
        units *= 10**finer
        step = draw(st.sampled_from([-1, 1]))
        if units + step <= 0 or (kind == "percent" and units + step > 100 * 10 ** (places + finer)):
            step = -step
        shares[i] = (kind, units + step, places + finer)
    return amount, shares


def budget(bid: str, currency: str, amount: int, shares: list[Share], payers: list[str], **optional: str) -> Item:
    """A budget entry paying `shares` of `amount` (minor units), one payer per share."""
    digits = CURRENCIES[currency]
    splits = [
        _flow({"party": payer, kind: _fixed(units, places)})
        for payer, (kind, units, places) in zip(payers, shares, strict=True)
    ]
    fields = {"id": bid, "amount": _fixed(amount, digits), "currency": currency, "period": PERIODS[0]}
    return Item("budgets", bid, {**fields, **optional, "splits": _seq(splits)})


@st.composite
def money_items(draw: st.DrawFn, duty_ids: list[str]) -> list[Item]:
    """Pools, and budgets drawing on them (or on an undefined pool) whose splits may or may not add up."""
    items = []
    pools: dict[str, dict[str, str]] = {}
    for pid in draw(st.lists(st.sampled_from(POOL_IDS), unique=True)):
        currency = draw(st.sampled_from(sorted(CURRENCIES)))
        amount = _fixed(draw(st.integers(1, 2 * 10**9)), CURRENCIES[currency])
        pools[pid] = {"id": pid, "amount": amount, "currency": currency, "period": draw(st.sampled_from(PERIODS))}
        items.append(Item("pools", pid, pools[pid]))
    for n in range(draw(st.integers(0, 3))):
        optional = {}
        pool = draw(st.none() | st.sampled_from([*POOL_IDS, "ghost-pool"]))
        if pool is not None:
            optional["pool"] = pool
        # Mostly the pool's currency and period, so that pools fill up (and overflow).
        currency, period = draw(st.sampled_from(sorted(CURRENCIES))), draw(st.sampled_from(PERIODS))
        if pool in pools and draw(st.integers(0, 3)):
            currency, period = pools[pool]["currency"], pools[pool]["period"]
        optional["period"] = period
        funds = draw(st.lists(st.sampled_from(duty_ids + GHOST_DUTIES), unique=True, max_size=3))
        if funds:
            optional["funds"] = _seq(funds)
        digits = CURRENCIES[currency]
        # Now and then finer than the schema allows: such a budget is a schema finding, and left out.
        amount, shares = draw(exact_shares(digits) | off_shares(digits, finest=MAX_PLACES + 10))
        payers = draw(st.lists(party_refs, min_size=len(shares), max_size=len(shares)))
        items.append(budget(f"budget-{n}", currency, amount, shares, payers, **optional))
    return items


@st.composite
def claim_lists(draw: st.DrawFn) -> list[Claim]:
    """Per letter up to three parties (so often two owners, or none), each named in one or two places."""
    claims = []
    for letter in LETTERS:
        for party in draw(st.lists(party_refs, max_size=3, unique=True)):
            claims += [(letter, party, where) for where in draw(st.lists(places, min_size=1, max_size=2, unique=True))]
    return claims


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    """A policy set with the everyday faults: unknown and inactive parties, letters nobody
    holds, two owners, reports_to cycles, assignments to undefined duties, splits that do
    not add up. Every entry is schema-valid; `mutated` spoils entries."""
    parties = {}
    for pid in draw(st.lists(st.sampled_from(PARTY_IDS), min_size=3, unique=True)):
        fields = {"id": pid, "name": json.dumps(f"The {pid}"), "type": draw(st.sampled_from(PARTY_TYPES))}
        active = draw(st.sampled_from([None, None, "true", "false"]))
        if active is not None:
            fields["active"] = active
        boss = draw(st.none() | party_refs)
        if boss is not None:
            fields["reports_to"] = boss
        parties[pid] = fields
    ids = draw(st.lists(duty_ids, min_size=1, max_size=5, unique=True))
    duties = [Duty(d, draw(titles), draw(claim_lists()), draw(st.booleans())) for d in ids]
    others = [
        Item("assignments", ghost, {"duty": ghost, "responsible": draw(party_refs)})
        for ghost in draw(st.lists(st.sampled_from(GHOST_DUTIES), unique=True, max_size=1))
    ]
    return Spec(parties, duties, others + draw(money_items(ids)))


# --- Hostile mutations -----------------------------------------------------

# Values of every wrong type, and some right-typed but wrong ones.
WRONG_VALUES = [
    "7",
    "-1",
    "0",
    "true",
    "null",
    "[]",
    "{}",
    '""',
    '"7"',
    "yes",
    "[x, [y]]",
    "{a: {b: c}}",
    ".nan",
    "-.inf",
    "1e999",
    "0.0000000000000000000000000000000001",
    "ciso",
    "[ciso, ciso]",
    '"Bad Id"',
    "[{party: ciso}]",
    "[{party: ciso, percent: 60, amount: 1}]",
    "{accountable: 7}",
    "{accountable: [ciso, 7], boss: cio}",
]
EXTRA_KEYS = ["colour", "Accountable", "owner", "percentage", "raci", "active"]
NAME_KEYS = ("id", "duty")  # what the schema finding's detail names an entry by


@st.composite
def mutated(draw: st.DrawFn, items: list[Item], spare: frozenset[str] = frozenset(), rough: bool = False) -> list[Item]:
    """`items` with wrong types, missing and extra keys, and copies (duplicate ids across files).

    Entries about an id in `spare` are left alone. Without `rough`, every change is one that
    must not make findings depend on how entries are spread over files: names (id, duty) stay,
    and a copy is an exact copy (with two different definitions of one id, the first one read
    is the one kept, by design). `rough` adds those too.
    """
    items = [Item(i.key, i.about, dict(i.fields)) for i in items]
    open_ = [i for i in items if i.about not in spare]
    if not open_:
        return items
    kinds = ["wrong-type", "extra-key", "missing-key", "copy"] + (["rename", "conflicting-copy"] if rough else [])
    copies = []
    for how in draw(st.lists(st.sampled_from(kinds), max_size=5)):
        item = draw(st.sampled_from(open_))
        fields = item.fields
        plain = [k for k in fields if k not in NAME_KEYS]
        if how == "wrong-type" and plain:
            fields[draw(st.sampled_from(plain))] = draw(st.sampled_from(WRONG_VALUES))
        elif how == "extra-key":
            fields[draw(st.sampled_from(EXTRA_KEYS))] = draw(st.sampled_from(WRONG_VALUES))
        elif how == "missing-key" and plain:
            del fields[draw(st.sampled_from(plain))]
        elif how == "copy":
            copies.append(item)
        elif how == "rename":
            name = "id" if "id" in fields else "duty"
            fields[name] = draw(st.sampled_from([*WRONG_VALUES, *PARTY_IDS, *GHOST_DUTIES]))
        elif how == "conflicting-copy" and plain:
            other = dict(fields)
            other[draw(st.sampled_from(plain))] = draw(st.sampled_from(WRONG_VALUES))
            items.append(Item(item.key, item.about, other))
    # Copied last, so that a copy is exactly its original as it ends up.
    return items + [Item(i.key, i.about, dict(i.fields)) for i in copies]


# Characters that sort in a different order than they are drawn ('-' < '0' < '_' < 'a'), so that
# reading order changes; no dot, so that no folder is named like a file ("it.yaml/" beside "it.yaml").
_name_parts = st.text("az09_-", min_size=1, max_size=6)
file_names = st.builds(
    lambda folders, stem, suffix: "".join(f"{f}/" for f in folders) + stem + suffix,
    st.lists(_name_parts, max_size=2),
    _name_parts,
    st.sampled_from([".yaml", ".yml", ".YAML", ".Yml"]),
)


def _document(kind: str, items: list[Item]) -> str:
    lines = ["apiVersion: raci/v1", f"kind: {kind}"]
    for key in [k for k, of in KIND_OF.items() if of == kind]:
        held = [item for item in items if item.key == key]
        if held:
            lines += [f"{key}:", *(f"  - {_flow(item.fields)}" for item in held)]
    return "\n".join(lines) + "\n"


@st.composite
def layouts(draw: st.DrawFn, items: list[Item]) -> dict[str, str]:
    """`items` spread over files (one to three per kind, one document each), in any order and under
    any names and folders: path under the repository -> YAML text."""
    per_kind = {kind: draw(st.integers(1, 3)) for kind in sorted({item.kind for item in items})}
    files: dict[tuple[str, int], list[Item]] = {}
    for n in draw(st.permutations(range(len(items)))):
        kind = items[n].kind
        files.setdefault((kind, draw(st.integers(0, per_kind[kind] - 1))), []).append(items[n])
    names = draw(st.lists(file_names, min_size=len(files), max_size=len(files), unique=True))
    return {
        f"policies/{name}": _document(kind, held) for name, ((kind, _), held) in zip(names, files.items(), strict=True)
    }


@st.composite
def damaged(draw: st.DrawFn, tree: dict[str, str]) -> dict[str, str | bytes]:
    """Whole files spoilt: cut short, bad header, aliases, duplicate keys, bad encoding, and so on;
    plus stray files of arbitrary text or bytes."""
    out: dict[str, str | bytes] = dict(tree)
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(sorted(tree)))
        text = tree[name]
        how = draw(
            st.sampled_from(
                ["cut", "append", "version", "kind", "top-key", "alias", "twice", "bom", "bytes", "deep", "empty"]
            )
        )
        if how == "cut":
            out[name] = text[: draw(st.integers(0, len(text)))]
        elif how == "append":
            out[name] = text + draw(st.text(st.characters(codec="utf-8"), max_size=30))
        elif how == "version":
            out[name] = text.replace("raci/v1", draw(st.sampled_from(["raci/v2", "1", "null", "[raci/v1]"])), 1)
        elif how == "kind":
            out[name] = text.replace("kind: ", "kind: " + draw(st.sampled_from(["X", "[", "", "Waivers # "])), 1)
        elif how == "top-key":
            out[name] = text + "extra: " + draw(st.sampled_from(WRONG_VALUES)) + "\n"
        elif how == "alias":
            out[name] = text + "extra: &a [x]\nmore: *a\n"
        elif how == "twice":
            out[name] = text + text.splitlines()[1] + "\n"
        elif how == "bom":
            out[name] = "\ufeff" + text
        elif how == "bytes":
            out[name] = text.encode() + draw(st.binary(min_size=1, max_size=8))
        elif how == "deep":
            out[name] = text + "extra: " + "[" * 80 + "]" * 80 + "\n"
        else:
            out[name] = ""
    for name, content in draw(st.lists(st.tuples(file_names, st.binary(max_size=40) | st.text(max_size=40)))):
        out[f"policies/stray/{name}"] = content
    return out


@st.composite
def hostile_trees(draw: st.DrawFn) -> dict[str, str | bytes]:
    items = draw(mutated(draw(specs()).items(), rough=True))
    return draw(damaged(draw(layouts(items))))


def _write(root: Path, tree: dict[str, str | bytes]) -> None:
    (root / ".git").mkdir(exist_ok=True)
    for name, content in tree.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())


def _report(root: Path) -> Report:
    return check([root / "policies"], config=load_config(cwd=root), today=TODAY)


def _checked(tree: dict[str, str | bytes]) -> Report:
    """The report on `tree` written to a fresh repository (hypothesis runs many examples per test)."""
    with tempfile.TemporaryDirectory() as tmp:
        _write(Path(tmp), tree)
        return _report(Path(tmp))


def _identities(report: Report) -> Counter[tuple[str, str, str, str]]:
    """Findings by identity (rule, subject, detail, severity), as a multiset.

    A file-level finding's subject is the file's name and is left out, with the `#n` that
    numbers repeats within one file: both change, by design, when entries move between files.
    """
    out: Counter[tuple[str, str, str, str]] = Counter()
    for f in report.findings:
        if f.rule in FILE_RULES:
            out[f.rule, "(a file)", re.sub(r"#\d+$", "", f.detail), f.severity.value] += 1
        else:
            out[f.rule, f.subject, f.detail, f.severity.value] += 1
    return out


def _has(report: Report, rule: str, subject: str) -> bool:
    return any(f.rule == rule and f.subject == subject for f in report.findings)


# --- Properties ------------------------------------------------------------


@HEAVY
@given(hostile_trees())
def test_checking_a_hostile_policy_set_never_raises(tree: dict[str, str | bytes]) -> None:
    report = _checked(tree)
    for name in REPORTERS:
        render(name, report)
    assert report.files == len(tree)


@HEAVY
@given(hostile_trees(), st.booleans())
def test_the_same_policy_set_gives_byte_identical_json(tree: dict[str, str | bytes], reverse: bool) -> None:
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        _write(Path(one), tree)
        # The other copy is written in another order: directory listing order must not leak into output.
        _write(Path(two), dict(sorted(tree.items(), reverse=reverse)))
        first = render("json", _report(Path(one)))
        again = render("json", _report(Path(one)))
        elsewhere = render("json", _report(Path(two)))
    assert first == again == elsewhere


@HEAVY
@given(st.data())
def test_findings_do_not_depend_on_file_names_order_or_splitting(data: st.DataObject) -> None:
    items = data.draw(mutated(data.draw(specs()).items()))
    one, other = data.draw(layouts(items)), data.draw(layouts(items))
    assert _identities(_checked(one)) == _identities(_checked(other))


@HEAVY
@given(st.data())
def test_findings_do_not_depend_on_where_a_claim_is_written(data: st.DataObject) -> None:
    spec = data.draw(specs())
    items = spec.items()
    for duty in spec.duties:
        # Each claim kept, only written elsewhere: a party named twice in a letter still is, in two places.
        named = Counter((letter, party) for letter, party, _ in duty.claims)
        duty.claims = [
            (letter, party, where)
            for (letter, party), times in named.items()
            for where in data.draw(st.lists(places, min_size=times, max_size=times, unique=True))
        ]
    moved = spec.items()
    assert _identities(_checked(data.draw(layouts(items)))) == _identities(_checked(data.draw(layouts(moved))))


@HEAVY
@given(st.data())
def test_a_second_accountable_party_is_always_double_ownership(data: st.DataObject) -> None:
    # Both defined and active, their entries and the duty's unspoilt: an undefined or inactive
    # accountable party is no owner for double-ownership (see its docstring).
    spec = data.draw(specs())
    duty = data.draw(st.sampled_from(spec.duties))
    owner, second = data.draw(st.lists(st.sampled_from(sorted(spec.parties)), min_size=2, max_size=2, unique=True))
    for party in (owner, second):
        spec.parties[party].pop("active", None)
    for party in (owner, second):
        claim = ("accountable", party, data.draw(places))
        if claim not in duty.claims:
            duty.claims.append(claim)
    items = data.draw(mutated(spec.items(), spare=frozenset({duty.id, owner, second})))
    report = _checked(data.draw(layouts(items)))
    found = [f for f in report.findings if f.rule == "double-ownership" and f.subject == duty.id]
    assert found, f"no double-ownership for {duty.id}"
    assert {owner, second} <= set(found[0].detail.split(","))


@HEAVY
@given(st.data())
def test_removing_the_only_accountable_party_is_always_orphaned_duty(data: st.DataObject) -> None:
    spec = data.draw(specs())
    duty = data.draw(st.sampled_from(spec.duties))
    # Of any standing (active, inactive, undefined), possibly named in several places: once it is
    # removed, the duty has no accountable claim left at all.
    owner = data.draw(party_refs)
    duty.claims = [c for c in duty.claims if c[0] != "accountable"]
    duty.claims += [("accountable", owner, where) for where in data.draw(st.lists(places, min_size=1, unique=True))]
    background = data.draw(mutated([i for i in spec.items() if i.about != duty.id], spare=frozenset({owner})))
    before = _checked(data.draw(layouts(background + duty.items())))
    if owner in spec.parties and spec.parties[owner].get("active") != "false":
        assert not _has(before, "orphaned-duty", duty.id)  # so the finding below is the removal's doing
    duty.claims = [c for c in duty.claims if c[0] != "accountable"]
    after = _checked(data.draw(layouts(background + duty.items())))
    assert _has(after, "orphaned-duty", duty.id)


@HEAVY
@given(st.data())
def test_splits_that_add_up_exactly_never_yield_split_total_and_others_always_do(data: st.DataObject) -> None:
    spec = data.draw(specs())
    adds_up = {}
    targets = []
    for n in range(data.draw(st.integers(1, 4))):
        bid = f"split-{n}"
        currency = data.draw(st.sampled_from(sorted(CURRENCIES)))
        digits = CURRENCIES[currency]
        adds_up[bid] = data.draw(st.booleans())
        amount, shares = data.draw(exact_shares(digits) if adds_up[bid] else off_shares(digits))
        payers = data.draw(st.lists(party_refs, min_size=len(shares), max_size=len(shares)))
        targets.append(budget(bid, currency, amount, shares, payers))
    # The budgets under test join after the spoiling: a budget left out of the model has no findings at all.
    items = data.draw(mutated(spec.items())) + targets
    report = _checked(data.draw(layouts(items)))
    for bid, exact in adds_up.items():
        assert _has(report, "split-total", bid) != exact, f"{bid}: adds up = {exact}"


_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)  # controls, bidi, lone surrogates too
_PLACE = st.builds(Location, _TEXT, st.integers(1, 10**6), st.integers(1, 10**4))


@settings(max_examples=300, deadline=None)
@given(
    st.builds(
        Finding,
        _TEXT,
        st.sampled_from([Severity.ERROR, Severity.WARNING, Severity.INFO]),
        _TEXT,
        _TEXT,
        _PLACE,
        st.lists(_PLACE, max_size=3).map(tuple),
        _TEXT,
        st.booleans(),
        st.none() | _PLACE,
    )
)
def test_a_json_finding_line_is_what_json_dumps_writes(finding: Finding) -> None:
    # `--format json` writes each finding itself, for speed; json.dumps is the reference.
    assert finding_line(finding) == json.dumps(finding_to_json(finding), ensure_ascii=False)
