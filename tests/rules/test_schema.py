from __future__ import annotations

import pytest

from tests.conftest import CheckFiles, of_rule, positions

RULE = "schema"
FILE = "policies/duties/security.yaml"


def test_fires_on_an_id_with_a_trailing_space(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: 'sec.incident-response '
                    title: Lead the response to security incidents
                """,
        }
    )
    assert positions(report, RULE) == [(FILE, 4, 9)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == FILE
    assert finding.detail == "duties[0].id"
    assert "'sec.incident-response ' does not match the id pattern" in finding.message
    assert finding.severity.value == "error"


@pytest.mark.parametrize("word", ["yes", "no", "on", "off"])
def test_fires_on_a_yaml_1_1_boolean_word_which_is_a_string(check_files: CheckFiles, word: str) -> None:
    report = check_files(
        {
            "parties.yaml": f"""\
                apiVersion: raci/v1
                kind: Parties
                parties:
                  - id: ciso
                    name: Chief Information Security Officer
                    type: role
                    active: {word}
                  - {{id: cio, name: Chief Information Officer, type: role}}
                """,
        }
    )
    assert positions(report, RULE) == [("policies/parties.yaml", 7, 13)]
    (finding,) = of_rule(report, RULE)
    assert finding.detail == "parties[0].active"
    assert f"'{word}' is a string, expected a boolean" in finding.message
    # the broken party is left out, its sibling is kept
    assert report.counts["parties"] == 1


def test_fires_on_an_unknown_key_with_a_hint_at_the_key(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                    domian: security
                """,
        }
    )
    assert positions(report, RULE) == [(FILE, 6, 5)]
    (finding,) = of_rule(report, RULE)
    assert finding.detail == "duties[0].domian"
    assert "unknown key 'domian' (did you mean 'domain'?)" in finding.message


def test_fires_on_a_missing_required_key_at_the_item(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    raci: {accountable: ciso, responsible: [security-ops]}
                """,
        }
    )
    assert positions(report, RULE) == [(FILE, 4, 5)]
    (finding,) = of_rule(report, RULE)
    assert finding.detail == "duties[0]"
    assert "missing required key 'title'" in finding.message


def test_fires_on_a_split_with_both_percent_and_amount(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "budgets.yaml": """\
                apiVersion: raci/v1
                kind: Budgets
                budgets:
                  - id: fy27-security-tooling
                    amount: 1000
                    currency: USD
                    period: FY2027
                    splits:
                      - {party: ciso, percent: 60, amount: 400}
                """,
        }
    )
    assert positions(report, RULE) == [("policies/budgets.yaml", 9, 9)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "policies/budgets.yaml"
    assert finding.detail == "budgets[0].splits[0]"
    assert "needs exactly one of 'percent' or 'amount'" in finding.message
    assert report.counts["budgets"] == 0


def test_fires_on_an_unknown_kind_with_a_hint_and_the_document_contributes_nothing(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Dutie
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                """,
        }
    )
    assert positions(report, RULE) == [(FILE, 2, 7)]
    (finding,) = of_rule(report, RULE)
    assert finding.detail == "kind"
    assert "unknown kind 'Dutie'" in finding.message
    assert "did you mean 'Duties'?" in finding.message
    assert report.counts["duties"] == 0


def test_fires_on_a_wrong_api_version(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v2
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                """,
        }
    )
    assert positions(report, RULE) == [(FILE, 1, 13)]
    (finding,) = of_rule(report, RULE)
    assert finding.detail == "apiVersion"
    assert "apiVersion 'raci/v2' is not supported" in finding.message
    assert "raci/v1" in finding.message
    assert report.counts["duties"] == 0


def test_fires_on_a_missing_api_version(check_files: CheckFiles) -> None:
    report = check_files({"duties/security.yaml": "kind: Duties\nduties: []\n"})
    assert positions(report, RULE) == [(FILE, 1, 1)]
    (finding,) = of_rule(report, RULE)
    assert "missing apiVersion" in finding.message


def test_an_invalid_item_is_left_out_and_its_siblings_are_kept(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                    owner: ciso
                  - id: sec.forensics
                    title: Preserve evidence after an incident
                """,
            "assignments/security.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - {duty: sec.incident-response, accountable: ciso, responsible: security-ops}
                  - {duty: sec.forensics, accountable: ciso, responsible: security-ops}
                """,
        }
    )
    assert positions(report, RULE) == [(FILE, 6, 5)]
    assert [f.subject for f in of_rule(report, "unknown-duty")] == ["sec.incident-response"]
    assert report.counts["duties"] == 1


def test_a_broken_top_level_drops_the_whole_document_but_not_the_next_one(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                owner: ciso
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                ---
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.forensics
                    title: Preserve evidence after an incident
                """,
        }
    )
    assert positions(report, RULE) == [(FILE, 3, 1)]
    (finding,) = of_rule(report, RULE)
    assert "unknown key 'owner'" in finding.message
    assert report.counts["duties"] == 1


def test_quiet_on_valid_documents_of_every_kind_used(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                # yaml-language-server: $schema=../schemas/duties.schema.json
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                    domain: security
                    tags: [customer-data]
                    raci: {accountable: ciso, responsible: [security-ops], consulted: cio, informed: [ceo]}
                """,
            "assignments/it.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-response
                    informed: [it-ops]
                """,
            "budgets.yaml": """\
                apiVersion: raci/v1
                kind: Budgets
                pools:
                  - {id: fy27-it-capex, amount: 2000000, currency: USD, period: FY2027}
                budgets:
                  - id: fy27-security-tooling
                    pool: fy27-it-capex
                    amount: 1200000
                    currency: USD
                    period: FY2027
                    funds: [sec.incident-response]
                    splits:
                      - {party: ciso, percent: 60}
                      - {party: cio, amount: 480000}
                """,
        }
    )
    assert of_rule(report, RULE) == []
    assert report.counts["budgets"] == 1
