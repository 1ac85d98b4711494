from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions

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
