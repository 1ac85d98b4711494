from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions
from tests.rules._helpers import where

RULE = "duplicate-id"

SECURITY = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: sec.incident-response
    title: Lead the response to security incidents
    raci: {accountable: ciso, responsible: [security-ops]}
"""


def test_fires_on_a_duty_defined_in_two_files_at_the_later_one_in_path_order(check_files: CheckFiles) -> None:
    report = check_files(
        {
            # given first, but read second: files are read in path order
            "duties/z-it.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: it.service-restoration
                    title: Restore service after incidents
                    raci: {accountable: cio, responsible: [it-ops]}
                  - id: sec.incident-response
                    title: Respond to incidents (CIO office copy)
                    raci: {accountable: ciso, responsible: [security-ops]}
                """,
            "duties/a-security.yaml": SECURITY,
        }
    )
    assert positions(report, RULE) == [("policies/duties/z-it.yaml", 7, 9)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "sec.incident-response"
    assert finding.detail == "duty"
    assert where(finding.related) == [("policies/duties/a-security.yaml", 4, 9)]
    assert "defined more than once" in finding.message
    assert "policies/duties/a-security.yaml:4:9" in finding.message
    assert finding.severity.value == "error"


def test_fires_on_a_party_defined_in_two_files(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "people.yaml": """\
                apiVersion: raci/v1
                kind: Parties
                parties:
                  - id: ciso
                    name: Chief Information Security Officer (again)
                    type: role
                """,
        }
    )
    # policies/parties.yaml (PARTIES, ciso on line 6) sorts before policies/people.yaml
    assert positions(report, RULE) == [("policies/people.yaml", 4, 9)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "ciso"
    assert finding.detail == "party"
    assert where(finding.related) == [("policies/parties.yaml", 6, 10)]
    assert "party 'ciso'" in finding.message
    assert finding.severity.value == "error"


def test_fires_on_a_duty_defined_twice_in_one_document(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                  - id: sec.incident-response
                    title: Lead the response, again
                """,
        }
    )
    assert positions(report, RULE) == [("policies/duties/security.yaml", 6, 9)]
    (finding,) = of_rule(report, RULE)
    assert where(finding.related) == [("policies/duties/security.yaml", 4, 9)]


def test_one_finding_per_later_definition(check_files: CheckFiles) -> None:
    report = check_files(
        {"duties/a.yaml": SECURITY, "duties/b.yaml": SECURITY, "duties/c.yaml": SECURITY, "duties/d.yaml": SECURITY}
    )
    assert positions(report, RULE) == [
        ("policies/duties/b.yaml", 4, 9),
        ("policies/duties/c.yaml", 4, 9),
        ("policies/duties/d.yaml", 4, 9),
    ]
    for finding in of_rule(report, RULE):
        assert where(finding.related) == [("policies/duties/a.yaml", 4, 9)]
    # the n-th definition: each later one is a finding of its own identity
    assert [f.detail for f in of_rule(report, RULE)] == ["duty", "duty#2", "duty#3"]
    assert len({f.fingerprint for f in of_rule(report, RULE)}) == 3


def test_quiet_when_a_party_and_a_duty_share_an_id(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/ciso.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: ciso
                    title: Appoint the Chief Information Security Officer
                    raci: {accountable: ceo, responsible: [ceo]}
                """,
        }
    )
    assert of_rule(report, RULE) == []


def test_quiet_on_distinct_ids_in_two_files(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": SECURITY,
            "duties/it.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: it.service-restoration
                    title: Restore service after incidents
                """,
        }
    )
    assert of_rule(report, RULE) == []


def test_the_raci_of_a_redefinition_is_not_merged_into_the_kept_duty(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/a-security.yaml": SECURITY,
            "duties/b-it.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: Respond to incidents (CIO office copy)
                    raci: {accountable: cio, responsible: [it-ops]}
                """,
        }
    )
    assert positions(report, RULE) == [("policies/duties/b-it.yaml", 4, 9)]
    assert of_rule(report, "double-ownership") == []
