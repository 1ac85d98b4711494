from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions

RULE = "unknown-party"


def test_fires_on_inline_raci_with_a_did_you_mean_hint(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                    raci:
                      accountable: cisco
                      responsible: [security-ops]
                """,
        }
    )
    assert positions(report, RULE) == [("policies/duties/security.yaml", 7, 20)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "sec.incident-response"
    assert finding.detail == "accountable:cisco"
    assert "'cisco', which is not defined" in finding.message
    assert "did you mean 'ciso'?" in finding.message
    assert finding.severity.value == "error"


def test_fires_on_an_assignment_list_item_without_a_hint_for_a_far_away_id(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                    raci: {accountable: ciso, responsible: [security-ops]}
                """,
            "assignments/outsourcing.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-response
                    responsible: [it-ops, managed-soc-vendor]
                """,
        }
    )
    assert positions(report, RULE) == [("policies/assignments/outsourcing.yaml", 5, 27)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "sec.incident-response"
    assert finding.detail == "responsible:managed-soc-vendor"
    assert "'managed-soc-vendor', which is not defined" in finding.message
    assert "did you mean" not in finding.message


def test_fires_on_reports_to_with_the_party_as_subject(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "parties.yaml": """\
                apiVersion: raci/v1
                kind: Parties
                parties:
                  - id: ceo
                    name: Chief Executive Officer
                    type: role
                  - id: ciso
                    name: Chief Information Security Officer
                    type: role
                    reports_to: board-of-directors
                """,
        }
    )
    assert positions(report, RULE) == [("policies/parties.yaml", 10, 17)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "ciso"
    assert finding.detail == "reports_to:board-of-directors"
    assert "reports_to of ciso" in finding.message
    assert "did you mean" not in finding.message


def test_reports_to_typo_gets_a_hint(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "parties.yaml": """\
                apiVersion: raci/v1
                kind: Parties
                parties:
                  - {id: ceo, name: Chief Executive Officer, type: role}
                  - id: ciso
                    name: Chief Information Security Officer
                    type: role
                    reports_to: ce0
                """,
        }
    )
    assert positions(report, RULE) == [("policies/parties.yaml", 8, 17)]
    (finding,) = of_rule(report, RULE)
    assert "did you mean 'ceo'?" in finding.message


def test_one_finding_per_unknown_reference(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                    raci:
                      accountable: cisco
                      responsible: [security-ops, cisco]
                """,
        }
    )
    assert positions(report, RULE) == [
        ("policies/duties/security.yaml", 7, 20),
        ("policies/duties/security.yaml", 8, 35),
    ]
    # one party in two letters of one duty: two identities
    accountable, responsible = of_rule(report, RULE)
    assert (accountable.detail, responsible.detail) == ("accountable:cisco", "responsible:cisco")
    assert accountable.fingerprint != responsible.fingerprint


def test_fires_on_a_waiver_approver_with_the_waived_rule_in_the_detail(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "waivers.yaml": """\
                apiVersion: raci/v1
                kind: Waivers
                waivers:
                  - rule: double-ownership
                    subject: sec.incident-response
                    reason: Joint accountability during the 2027 transition
                    approved_by: [cio, cisco]
                    expires: 2027-03-31
                """,
        }
    )
    assert positions(report, RULE) == [("policies/waivers.yaml", 7, 24)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "sec.incident-response"
    assert finding.detail == "approved_by:double-ownership:cisco"
    assert finding.message == (
        "a waiver of 'sec.incident-response' names party 'cisco', which is not defined (did you mean 'ciso'?)"
    )


def test_quiet_when_every_reference_is_defined(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                    raci:
                      accountable: ciso
                      responsible: [security-ops]
                """,
            "assignments/it.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.incident-response
                    consulted: [cio, it-ops]
                    informed: ceo
                """,
        }
    )
    assert of_rule(report, RULE) == []
