from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions
from tests.rules._helpers import INACTIVE_DEPUTY, where

DUTY = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: sec.incident-response
    title: Lead the response to security incidents
    raci:
      accountable: ciso
      responsible: [security-ops]
"""


def test_fires_when_cio_and_ciso_both_claim_across_files(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": DUTY,
            "assignments/cio-office.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-response
                    accountable: cio
                """,
        }
    )
    assert positions(report, "double-ownership") == [("policies/assignments/cio-office.yaml", 5, 18)]
    (finding,) = of_rule(report, "double-ownership")
    assert finding.subject == "sec.incident-response"
    assert [(r.file, r.line, r.column) for r in finding.related] == [("policies/duties/security.yaml", 7, 20)]
    assert "cio" in finding.message
    assert "ciso" in finding.message


def test_quiet_when_the_other_party_is_consulted(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": DUTY,
            "assignments/cio-office.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-response
                    consulted: cio
                """,
        }
    )
    assert of_rule(report, "double-ownership") == []


def test_quiet_when_the_same_party_is_claimed_twice(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": DUTY,
            "assignments/ciso-office.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-response
                    accountable: ciso
                """,
        }
    )
    assert of_rule(report, "double-ownership") == []


def test_severity_is_error_and_detail_lists_the_parties(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": DUTY,
            "assignments/cio-office.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-response
                    accountable: cio
                """,
        }
    )
    (finding,) = of_rule(report, "double-ownership")
    assert finding.severity.value == "error"
    assert finding.detail == "cio,ciso"


def test_quiet_when_the_second_accountable_is_inactive(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "people.yaml": INACTIVE_DEPUTY,
            "duties/security.yaml": DUTY,
            "assignments/cio-office.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-response
                    accountable: deputy-cio
                """,
        }
    )
    assert of_rule(report, "double-ownership") == []
    # the stale claim is reported by the rule meant for it
    assert positions(report, "inactive-party") == [("policies/assignments/cio-office.yaml", 5, 18)]


def test_three_parties_in_one_inline_list(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                    raci:
                      accountable: [ciso, cio, ceo]
                      responsible: [security-ops]
                """,
        }
    )
    assert positions(report, "double-ownership") == [("policies/duties/security.yaml", 7, 21)]
    (finding,) = of_rule(report, "double-ownership")
    assert where(finding.related) == [
        ("policies/duties/security.yaml", 7, 27),
        ("policies/duties/security.yaml", 7, 32),
    ]
    assert finding.detail == "ceo,cio,ciso"
    assert "3 accountable parties" in finding.message


def test_inline_and_two_assignment_files_relate_every_other_claim(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": DUTY,
            "assignments/cio-office.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-response
                    accountable: cio
                """,
            "assignments/board.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-response
                    informed: [it-ops]
                  - duty: sec.incident-response
                    accountable: [ceo, ciso]
                """,
        }
    )
    # reading order: assignments/board.yaml, assignments/cio-office.yaml, duties/security.yaml
    assert positions(report, "double-ownership") == [("policies/assignments/board.yaml", 7, 19)]
    (finding,) = of_rule(report, "double-ownership")
    assert finding.subject == "sec.incident-response"
    assert where(finding.related) == [
        ("policies/assignments/board.yaml", 7, 24),
        ("policies/assignments/cio-office.yaml", 5, 18),
        ("policies/duties/security.yaml", 7, 20),
    ]
    assert finding.detail == "ceo,cio,ciso"
    for party in ("ceo", "cio", "ciso"):
        assert party in finding.message


def test_message_lists_each_party_once_with_all_its_places(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": DUTY,
            "assignments/cio-office.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-response
                    accountable: cio
                  - duty: sec.incident-response
                    accountable: ciso
                """,
        }
    )
    (finding,) = of_rule(report, "double-ownership")
    assert finding.message == (
        "sec.incident-response has 2 accountable parties: cio (policies/assignments/cio-office.yaml:5:18),"
        " ciso (policies/assignments/cio-office.yaml:7:18, policies/duties/security.yaml:7:20);"
        " exactly one party must be accountable"
    )
    assert finding.location == ("policies/assignments/cio-office.yaml", 5, 18)
    assert where(finding.related) == [
        ("policies/assignments/cio-office.yaml", 7, 18),
        ("policies/duties/security.yaml", 7, 20),
    ]
    assert finding.detail == "cio,ciso"


def test_quiet_when_the_second_accountable_is_an_undefined_party(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": DUTY,
            "assignments/cio-office.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-response
                    accountable: cisco
                """,
        }
    )
    # a typo is not a second owner: unknown-party reports it
    assert of_rule(report, "double-ownership") == []
    assert [f.detail for f in of_rule(report, "unknown-party")] == ["accountable:cisco"]


def test_an_undefined_party_is_left_out_of_a_real_double_ownership(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": DUTY,
            "assignments/cio-office.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-response
                    accountable: [cisco, cio]
                """,
        }
    )
    (finding,) = of_rule(report, "double-ownership")
    assert finding.location == ("policies/assignments/cio-office.yaml", 5, 26)
    assert where(finding.related) == [("policies/duties/security.yaml", 7, 20)]
    assert finding.detail == "cio,ciso"
    assert "cisco" not in finding.message


def test_quiet_on_claims_on_an_undefined_duty(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "assignments/cio-office.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-respons
                    accountable: [cio, ciso]
                """,
        }
    )
    assert of_rule(report, "double-ownership") == []
    assert positions(report, "unknown-duty") == [("policies/assignments/cio-office.yaml", 4, 11)]
