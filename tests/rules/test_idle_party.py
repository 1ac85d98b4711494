from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions

RULE = "idle-party"

PARTIES = """\
apiVersion: raci/v1
kind: Parties
parties:
  - id: ceo
    name: Chief Executive Officer
    type: role
  - id: ciso
    name: Chief Information Security Officer
    type: role
  - id: security-ops
    name: Security Operations
    type: team
  - id: deputy-cio
    name: Deputy CIO (role removed in 2026)
    type: role
    active: false
"""


def test_fires_at_an_active_party_with_no_letter_and_ignores_inactive_ones(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "parties.yaml": PARTIES,
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                    raci: {accountable: ciso, responsible: [security-ops]}
                """,
        }
    )
    assert positions(report, RULE) == [("policies/parties.yaml", 4, 9)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "ceo"
    assert finding.related == ()
    assert "party 'ceo' holds no RACI letter" in finding.message
    assert finding.severity.value == "info"


def test_quiet_when_every_active_party_holds_a_letter_somewhere(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "parties.yaml": PARTIES,
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                    raci: {accountable: ciso, responsible: [security-ops]}
                """,
            "assignments/board.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-response
                    informed: ceo
                """,
        }
    )
    assert of_rule(report, RULE) == []
