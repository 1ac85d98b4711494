from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions
from tests.rules._helpers import where

RULE = "reports-to-cycle"


def test_fires_on_a_party_reporting_to_itself(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "parties.yaml": """\
                apiVersion: raci/v1
                kind: Parties
                parties:
                  - id: ceo
                    name: Chief Executive Officer
                    type: role
                    reports_to: ceo
                """,
        }
    )
    assert positions(report, RULE) == [("policies/parties.yaml", 7, 17)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "ceo"
    assert finding.detail == "ceo"
    assert finding.related == ()
    assert "ceo -> ceo" in finding.message
    assert finding.severity.value == "error"


def test_fires_once_on_a_two_cycle_at_the_smallest_id(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "parties.yaml": """\
                apiVersion: raci/v1
                kind: Parties
                parties:
                  - id: ciso
                    name: Chief Information Security Officer
                    type: role
                    reports_to: cio
                  - id: cio
                    name: Chief Information Officer
                    type: role
                    reports_to: ciso
                """,
        }
    )
    assert positions(report, RULE) == [("policies/parties.yaml", 11, 17)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "cio"
    assert finding.detail == "cio,ciso"
    assert where(finding.related) == [("policies/parties.yaml", 7, 17)]
    assert "cio -> ciso -> cio" in finding.message


def test_fires_once_on_a_three_cycle_with_the_other_members_related(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "parties.yaml": """\
                apiVersion: raci/v1
                kind: Parties
                parties:
                  - id: ops
                    name: Operations
                    type: team
                    reports_to: cio
                  - id: ciso
                    name: Chief Information Security Officer
                    type: role
                    reports_to: ops
                  - id: cio
                    name: Chief Information Officer
                    type: role
                    reports_to: ciso
                """,
        }
    )
    assert positions(report, RULE) == [("policies/parties.yaml", 15, 17)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "cio"
    assert finding.detail == "cio,ciso,ops"
    assert where(finding.related) == [("policies/parties.yaml", 11, 17), ("policies/parties.yaml", 7, 17)]
    assert "cio -> ciso -> ops -> cio" in finding.message


def test_a_tail_leading_into_a_cycle_is_not_part_of_it(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "parties.yaml": """\
                apiVersion: raci/v1
                kind: Parties
                parties:
                  - {id: audit, name: Internal Audit, type: team, reports_to: cio}
                  - {id: cio, name: Chief Information Officer, type: role, reports_to: ciso}
                  - {id: ciso, name: Chief Information Security Officer, type: role, reports_to: cio}
                """,
        }
    )
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "cio"
    assert finding.detail == "cio,ciso"
    assert len(finding.related) == 1


def test_one_finding_per_cycle_across_files(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "parties.yaml": """\
                apiVersion: raci/v1
                kind: Parties
                parties:
                  - {id: cio, name: Chief Information Officer, type: role, reports_to: ciso}
                  - {id: b-team, name: B Team, type: team, reports_to: a-team}
                """,
            "people.yaml": """\
                apiVersion: raci/v1
                kind: Parties
                parties:
                  - {id: ciso, name: Chief Information Security Officer, type: role, reports_to: cio}
                  - {id: a-team, name: A Team, type: team, reports_to: b-team}
                """,
        }
    )
    assert sorted((f.subject, f.detail) for f in of_rule(report, RULE)) == [
        ("a-team", "a-team,b-team"),
        ("cio", "cio,ciso"),
    ]


def test_quiet_on_a_tree(check_files: CheckFiles) -> None:
    report = check_files({})  # PARTIES: ceo at the top, cio and ciso under it, teams under them
    assert of_rule(report, RULE) == []


def test_quiet_when_reports_to_names_an_unknown_party(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "parties.yaml": """\
                apiVersion: raci/v1
                kind: Parties
                parties:
                  - {id: ciso, name: Chief Information Security Officer, type: role, reports_to: board}
                """,
        }
    )
    assert of_rule(report, RULE) == []
    assert [f.subject for f in of_rule(report, "unknown-party")] == ["ciso"]
