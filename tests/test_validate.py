"""checker.validate.check_document: messages, locations and what is kept after a schema error."""

from __future__ import annotations

import textwrap

import pytest

from checker.finding import Finding
from checker.loader import Document, load_bytes
from checker.validate import Checked, check_document

FILE = "policies/p.yaml"


def document(text: str) -> Document:
    loaded = load_bytes(textwrap.dedent(text).encode("utf-8"), FILE)
    assert loaded.findings == []
    (doc,) = loaded.documents
    return doc


def check(text: str) -> Checked:
    return check_document(document(text))


def where(finding: Finding) -> tuple[int, int]:
    assert finding.location.file == FILE
    return finding.location.line, finding.location.column


def only(checked: Checked) -> Finding:
    (finding,) = checked.findings
    assert finding.rule == "schema"
    assert finding.subject == FILE
    return finding


def test_valid_document_has_no_findings() -> None:
    checked = check(
        """\
        apiVersion: raci/v1
        kind: Duties
        duties:
          - id: sec.x
            title: X
            raci: {accountable: ciso, responsible: [it-ops]}
        """
    )
    assert checked.kind == "Duties"
    assert checked.findings == []
    assert checked.dropped == set()


def test_id_pattern_message_placed_at_the_value() -> None:
    checked = check(
        """\
        apiVersion: raci/v1
        kind: Duties
        duties:
          - id: sec.ok
            title: OK
          - id: sec.x
            title: X
            raci:
              accountable: 'ciso '
        """
    )
    finding = only(checked)
    assert finding.message.startswith("duties[1].raci.accountable: 'ciso ' does not match the id pattern")
    assert where(finding) == (9, 20)
    assert finding.detail == "duties[sec.x].raci.accountable pattern"
    assert checked.kind == "Duties"
    assert checked.dropped == {("duties", 1)}


def test_id_pattern_in_a_list_item() -> None:
    finding = only(
        check(
            """\
            apiVersion: raci/v1
            kind: Duties
            duties:
              - id: sec.x
                title: X
                raci: {responsible: [it-ops, 'Sec Ops']}
            """
        )
    )
    assert finding.message.startswith("duties[0].raci.responsible[1]: 'Sec Ops' does not match the id pattern")
    assert where(finding) == (6, 34)


def test_unknown_key_with_did_you_mean_placed_at_the_key() -> None:
    checked = check(
        """\
        apiVersion: raci/v1
        kind: Duties
        duties:
          - id: sec.x
            title: X
            domian: security
        """
    )
    finding = only(checked)
    assert finding.message == "duties[0]: unknown key 'domian' (did you mean 'domain'?)"
    assert where(finding) == (6, 5)
    assert finding.detail == "duties[sec.x].domian additionalProperties"
    assert checked.dropped == {("duties", 0)}
    assert checked.kind == "Duties"


def test_missing_required_key_placed_at_the_item() -> None:
    checked = check(
        """\
        apiVersion: raci/v1
        kind: Duties
        duties:
          - id: sec.ok
            title: OK
          - id: sec.x
            domain: security
          - {id: sec.y}
        """
    )
    first, second = checked.findings
    assert first.message == "duties[1]: missing required key 'title'"
    assert where(first) == (6, 5)
    assert second.message == "duties[2]: missing required key 'title'"
    assert where(second) == (8, 5)
    assert checked.dropped == {("duties", 1), ("duties", 2)}
    assert checked.kind == "Duties"


def test_type_error_for_yaml11_boolean() -> None:
    finding = only(
        check(
            """\
            apiVersion: raci/v1
            kind: Parties
            parties:
              - id: ciso
                name: CISO
                type: role
                active: yes
            """
        )
    )
    assert finding.message == "parties[0].active: 'yes' is a string, expected a boolean (true or false)"
    assert where(finding) == (7, 13)


def test_enum_with_hint() -> None:
    finding = only(
        check(
            """\
            apiVersion: raci/v1
            kind: Parties
            parties:
              - {id: ciso, name: CISO, type: rol}
            """
        )
    )
    assert (
        finding.message == "parties[0].type: 'rol' is not one of role, team, person, committee (did you mean 'role'?)"
    )
    assert where(finding) == (4, 34)


BUDGET = """\
apiVersion: raci/v1
kind: Budgets
budgets:
  - id: fy27-sec
    amount: 1000
    currency: USD
    period: FY2027
    splits:
      - {{party: ciso, {split}}}
"""


def test_split_with_both_percent_and_amount() -> None:
    checked = check(BUDGET.format(split="percent: 60, amount: 400"))
    finding = only(checked)
    assert finding.message == "budgets[0].splits[0]: needs exactly one of 'percent' or 'amount'"
    assert where(finding) == (9, 9)
    assert checked.dropped == {("budgets", 0)}


def test_split_with_neither_percent_nor_amount() -> None:
    finding = only(check(BUDGET.format(split="")))
    assert finding.message == "budgets[0].splits[0]: needs exactly one of 'percent' or 'amount'"


@pytest.mark.parametrize(("text", "shown"), [(".nan", ".nan"), (".inf", ".inf"), ("-.inf", "-.inf")])
def test_non_finite_amount(text: str, shown: str) -> None:
    finding = only(check(BUDGET.format(split=f"amount: {text}")))
    assert finding.message == f"budgets[0].splits[0].amount: {shown} is not a finite number"
    assert where(finding) == (9, 31)


def test_exact_decimal_percent_is_valid() -> None:
    assert check(BUDGET.format(split="percent: 33.33")).findings == []


def test_huge_exponent_amount_is_above_the_maximum() -> None:
    finding = only(check(BUDGET.format(split="amount: 1e400")))
    assert "budgets[0].splits[0].amount" in finding.message
    assert "maximum" in finding.message


def test_five_thousand_digit_amount_is_a_finding_not_a_crash() -> None:
    finding = only(check(BUDGET.format(split="amount: " + "9" * 5000)))
    assert "maximum" in finding.message
    assert where(finding) == (9, 31)


def test_invalid_item_is_dropped_while_the_rest_is_kept() -> None:
    checked = check(
        """\
        apiVersion: raci/v1
        kind: Parties
        parties:
          - {id: ceo, name: CEO, type: role}
          - {id: ciso, name: CISO, type: role, active: yes}
          - {id: cio, name: CIO, type: role}
          - {id: Bad, name: Bad, type: team}
        """
    )
    assert checked.kind == "Parties"
    assert checked.dropped == {("parties", 1), ("parties", 3)}
    assert [where(f) for f in checked.findings] == [(5, 48), (7, 10)]


def test_unknown_top_level_key_keeps_the_document() -> None:
    checked = check(
        """\
        apiVersion: raci/v1
        kind: Duties
        duties: [{id: sec.x, title: X}]
        dutie: []
        """
    )
    finding = only(checked)
    assert checked.kind == "Duties"
    assert checked.dropped == set()
    assert finding.message == "unknown key 'dutie' (did you mean 'duties'?)"
    assert where(finding) == (4, 1)
    assert finding.detail == "dutie additionalProperties"


def test_top_level_list_of_wrong_type_drops_the_list() -> None:
    checked = check(
        """\
        apiVersion: raci/v1
        kind: Duties
        duties: {id: x}
        """
    )
    finding = only(checked)
    assert checked.kind == "Duties"
    assert checked.dropped == {("duties", None)}
    assert finding.detail == "duties type"
    assert finding.message.startswith("duties: ")
    assert "expected a list" in finding.message
    assert where(finding) == (3, 9)


def test_wrong_container_type_message_reads_well() -> None:
    finding = only(check("apiVersion: raci/v1\nkind: Duties\nduties: {id: x}\n"))
    assert "a mapping is a mapping" not in finding.message


def test_null_top_level_list_is_empty_and_dropped() -> None:
    checked = check("apiVersion: raci/v1\nkind: Duties\nduties:\n")
    finding = only(checked)
    assert finding.message == "duties: is empty, expected a list"
    assert where(finding) == (3, 8)
    assert finding.detail == "duties type"
    assert checked.kind == "Duties"
    assert checked.dropped == {("duties", None)}


def test_null_mapping_in_an_item_is_empty() -> None:
    checked = check("apiVersion: raci/v1\nkind: Duties\nduties:\n  - id: sec.x\n    title: X\n    raci:\n")
    finding = only(checked)
    assert finding.message == "duties[0].raci: is empty, expected a mapping"
    assert where(finding) == (6, 10)
    assert checked.dropped == {("duties", 0)}


def test_a_broken_list_drops_only_that_list() -> None:
    checked = check(
        """\
        apiVersion: raci/v1
        kind: Budgets
        pools: {id: p}
        budgets: []
        """
    )
    assert only(checked).detail == "pools type"
    assert checked.kind == "Budgets"
    assert checked.dropped == {("pools", None)}


def test_missing_top_level_list() -> None:
    checked = check("apiVersion: raci/v1\nkind: Duties\n")
    finding = only(checked)
    assert checked.kind == "Duties"
    assert checked.dropped == set()
    assert finding.message == "missing required key 'duties'"
    assert where(finding) == (1, 1)
    assert finding.detail == "(document) required:duties"


def test_missing_api_version() -> None:
    checked = check("kind: Duties\nduties: []\n")
    finding = only(checked)
    assert checked.kind is None
    assert finding.message == "missing apiVersion: expected apiVersion: raci/v1"
    assert where(finding) == (1, 1)
    assert finding.detail == "apiVersion"


def test_unknown_api_version_placed_at_the_value() -> None:
    checked = check("kind: Duties\napiVersion: raci/v2\nduties: []\n")
    finding = only(checked)
    assert checked.kind is None
    assert finding.message == "apiVersion 'raci/v2' is not supported: expected apiVersion: raci/v1"
    assert where(finding) == (2, 13)


def test_missing_kind() -> None:
    checked = check("apiVersion: raci/v1\nduties: []\n")
    finding = only(checked)
    assert checked.kind is None
    assert finding.message.startswith("missing kind: expected one of Parties, Duties, Assignments")
    assert where(finding) == (1, 1)
    assert finding.detail == "kind"


@pytest.mark.parametrize("kind", ["Dutie", "duties", "DUTIES"])
def test_unknown_kind_with_hint(kind: str) -> None:
    checked = check(f"apiVersion: raci/v1\nkind: {kind}\nduties: []\n")
    finding = only(checked)
    assert checked.kind is None
    assert finding.message.startswith(f"unknown kind '{kind}': expected one of Parties, Duties")
    assert finding.message.endswith("(did you mean 'Duties'?)")
    assert where(finding) == (2, 7)


def test_unknown_kind_without_anything_close() -> None:
    finding = only(check("apiVersion: raci/v1\nkind: Budget2027\n"))
    assert (
        finding.message
        == "unknown kind 'Budget2027': expected one of Parties, Duties, Assignments, Budgets, Rules, Waivers"
    )


@pytest.mark.parametrize("text", ["kind: [Duties]\n", "kind: {Duties: 1}\n"])
def test_kind_that_is_a_collection(text: str) -> None:
    checked = check("apiVersion: raci/v1\n" + text)
    assert checked.kind is None
    finding = only(checked)
    assert "unknown kind" in finding.message
    assert where(finding) == (2, 7)


def test_kind_that_is_a_number() -> None:
    checked = check("apiVersion: raci/v1\nkind: 7\n")
    assert checked.kind is None
    assert only(checked).message.startswith("unknown kind 7: expected one of")


def test_empty_document_is_ignored() -> None:
    loaded = load_bytes(b"# a comment\n---\n...\n", FILE)
    (doc,) = loaded.documents
    assert check_document(doc) == Checked(None)


@pytest.mark.parametrize("text", ["- apiVersion: raci/v1\n- kind: Duties\n", "just words\n", "42\n"])
def test_non_mapping_document(text: str) -> None:
    checked = check(text)
    finding = only(checked)
    assert checked.kind is None
    assert finding.message == "a policy document must be a mapping with apiVersion and kind"
    assert where(finding) == (1, 1)


def test_invalid_date_is_refused_by_its_format() -> None:
    checked = check(
        """\
        apiVersion: raci/v1
        kind: Waivers
        waivers:
          - rule: double-ownership
            subject: sec.x
            reason: Joint accountability during the transition
            approved_by: [cio, ciso]
            expires: 2027-02-30
        """
    )
    finding = only(checked)
    assert finding.message == "waivers[0].expires: '2027-02-30' is not a valid date"
    assert where(finding) == (8, 14)
    assert finding.detail == "waivers[0].expires format"
    assert checked.dropped == {("waivers", 0)}


def test_valid_date_passes_its_format() -> None:
    checked = check(
        """\
        apiVersion: raci/v1
        kind: Waivers
        waivers:
          - {rule: double-ownership, subject: sec.x, reason: R, approved_by: [cio], expires: 2028-02-29}
        """
    )
    assert checked.findings == []


def test_key_refused_by_a_false_schema_says_why() -> None:
    checked = check(
        """\
        apiVersion: raci/v1
        kind: Rules
        rules:
          - id: security-embedded
            type: require
            description: Security is consulted on every security duty
            select: {ids: ["sec.*"]}
            require: {party: ciso, as: [consulted]}
            left: {ids: ["sec.*"]}
        """
    )
    finding = only(checked)
    assert finding.message == "rules[0].left: not allowed here: `left` is not used by require rules"
    assert where(finding) == (9, 11)
    assert finding.detail == "rules[security-embedded].left falseSchema"
    assert checked.dropped == {("rules", 0)}


# --- detail: what tells one schema finding from another ---------------------------------------


def test_detail_names_an_assignment_by_its_duty() -> None:
    finding = only(
        check(
            """\
            apiVersion: raci/v1
            kind: Assignments
            assignments:
              - {duty: sec.x, accountable: Cisco}
            """
        )
    )
    assert finding.message.startswith("assignments[0].accountable: 'Cisco' does not match the id pattern")
    assert finding.detail == "assignments[sec.x].accountable pattern"


def test_detail_keeps_the_index_of_an_item_without_an_id() -> None:
    checked = check(
        """\
        apiVersion: raci/v1
        kind: Duties
        duties:
          - {id: sec.x, title: X}
          - {domain: it}
        """
    )
    missing_id, missing_title = checked.findings
    assert where(missing_id) == where(missing_title) == (5, 5)
    assert missing_id.message == "duties[1]: missing required key 'id'"
    assert missing_id.detail == "duties[1] required:id"
    assert missing_title.detail == "duties[1] required:title"
    # two problems on one node: two identities
    assert missing_id.fingerprint != missing_title.fingerprint


def test_detail_of_a_later_document_is_numbered() -> None:
    loaded = load_bytes(
        b"apiVersion: raci/v1\nkind: Duties\nduties:\n  - {id: sec.x, titel: X}\n"
        b"---\napiVersion: raci/v1\nkind: Duties\nduties:\n  - {id: sec.x, titel: X}\n",
        FILE,
    )
    first, second = (check_document(doc) for doc in loaded.documents)
    assert [f.detail for f in first.findings] == [
        "duties[sec.x] required:title",
        "duties[sec.x].titel additionalProperties",
    ]
    assert [f.detail for f in second.findings] == [
        "#2 duties[sec.x] required:title",
        "#2 duties[sec.x].titel additionalProperties",
    ]
    assert [where(f) for f in second.findings] == [(9, 5), (9, 17)]
    assert {f.fingerprint for f in first.findings}.isdisjoint(f.fingerprint for f in second.findings)


def test_findings_are_sorted_by_position() -> None:
    checked = check(
        """\
        apiVersion: raci/v1
        kind: Parties
        parties:
          - {id: z, name: Z, type: team, active: no}
          - {id: Y, name: Y, type: team}
          - {id: x, name: X, type: tem}
        """
    )
    assert [where(f) for f in checked.findings] == sorted(where(f) for f in checked.findings)
    assert len(checked.findings) == 3
    assert checked.dropped == {("parties", 0), ("parties", 1), ("parties", 2)}


def test_too_precise_a_number_keeps_its_fingerprint_when_budgets_are_reordered() -> None:
    # Found by the property that findings do not depend on where an entry is written.
    fine = "  - {id: a, amount: 100, currency: USD, period: FY2027, splits: [{party: ceo, percent: 100}]}\n"
    fussy = (
        "  - {id: b, amount: 100, currency: USD, period: FY2027,"
        " splits: [{party: ceo, percent: 0.0000000000000000000000000000001}]}\n"
    )
    head = "apiVersion: raci/v1\nkind: Budgets\nbudgets:\n"
    first, second = only(check(head + fine + fussy)), only(check(head + fussy + fine))
    assert first.detail == second.detail == "budgets[b].splits[0].percent precision"
    assert first.fingerprint == second.fingerprint
    assert "budgets[1].splits[0].percent" in first.message  # the message still says where it is now
