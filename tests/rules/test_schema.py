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
    assert finding.detail == "duties[sec.incident-response ].id pattern"
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
    assert finding.detail == "parties[ciso].active type"
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
    assert finding.detail == "duties[sec.incident-response].domian additionalProperties"
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
    assert finding.detail == "duties[sec.incident-response] required:title"
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
    assert finding.detail == "budgets[fy27-security-tooling].splits[0] oneOf"
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


def test_an_unknown_top_level_key_keeps_the_valid_lists(check_files: CheckFiles) -> None:
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
    assert finding.detail == "owner additionalProperties"
    assert report.counts["duties"] == 2


def test_a_list_of_the_wrong_type_drops_that_list_and_keeps_the_others(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "budgets.yaml": """\
                apiVersion: raci/v1
                kind: Budgets
                pools: {id: fy27-it-capex, amount: 1000, currency: USD, period: FY2027}
                budgets:
                  - id: fy27-security-tooling
                    amount: 1000
                    currency: USD
                    period: FY2027
                    splits: [{party: ciso, percent: 100}]
                """,
        }
    )
    assert positions(report, RULE) == [("policies/budgets.yaml", 3, 8)]
    (finding,) = of_rule(report, RULE)
    assert finding.message == "pools: found a mapping, expected a list"
    assert finding.detail == "pools type"
    assert report.counts["pools"] == 0
    assert report.counts["budgets"] == 1


@pytest.mark.parametrize("text", ["", "# yaml-language-server: $schema=x.json\n# nothing yet\n", "---\n", "---\n---\n"])
def test_fires_once_on_a_file_without_a_policy_document(check_files: CheckFiles, text: str) -> None:
    report = check_files({"duties/security.yaml": text})
    assert positions(report, RULE) == [(FILE, 1, 1)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == FILE
    assert finding.message == "no policy document in this file (it is empty, or only comments)"
    assert finding.detail == "(no document)"
    assert finding.severity.value == "error"
    assert report.files == 2


def test_quiet_on_empty_documents_next_to_a_policy_document(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                ---
                ---
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - {id: sec.x, title: X, raci: {accountable: ciso, responsible: security-ops}}
                ---
                """,
        }
    )
    assert of_rule(report, RULE) == []
    assert report.counts["duties"] == 1


def test_at_most_100_findings_per_file_then_one_that_counts_the_rest(check_files: CheckFiles) -> None:
    report = check_files({"duties/security.yaml": "apiVersion: raci/v1\nkind: Duties\nduties:\n" + "  -\n" * 150})
    findings = of_rule(report, RULE)
    assert len(findings) == 101
    (more,) = [f for f in findings if f.detail == "(more)"]
    assert more.message == "50 more schema findings in this file are not listed"
    assert more.location == (FILE, 104, 4)  # where the first one left out is
    assert more.related == ()
    listed = [f for f in findings if f is not more]
    assert listed[0].message == "duties[0]: is empty, expected a mapping"
    assert listed[-1].message == "duties[99]: is empty, expected a mapping"
    assert len({f.fingerprint for f in findings}) == 101


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
