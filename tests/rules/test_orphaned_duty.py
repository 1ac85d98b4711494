from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions
from tests.rules._helpers import INACTIVE_DEPUTY, where

RULE = "orphaned-duty"


def test_fires_when_nobody_is_accountable(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/it.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: it.asset-inventory
                    title: Keep the inventory of hardware and software assets
                    raci:
                      responsible: [it-ops]
                """,
        }
    )
    assert positions(report, RULE) == [("policies/duties/it.yaml", 4, 9)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "it.asset-inventory"
    assert finding.related == ()
    assert "it.asset-inventory has no accountable party" in finding.message
    assert finding.severity.value == "error"


def test_fires_on_a_duty_without_any_raci(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/it.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - {id: it.asset-inventory, title: Keep the asset inventory}
                """,
        }
    )
    assert positions(report, RULE) == [("policies/duties/it.yaml", 4, 10)]


def test_fires_when_the_only_accountable_is_inactive(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "people.yaml": INACTIVE_DEPUTY,
            "duties/it.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: it.asset-inventory
                    title: Keep the inventory of hardware and software assets
                    raci:
                      accountable: deputy-cio
                      responsible: [it-ops]
                """,
        }
    )
    assert positions(report, RULE) == [("policies/duties/it.yaml", 4, 9)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == "it.asset-inventory"
    assert where(finding.related) == [("policies/duties/it.yaml", 7, 20)]
    assert "no active accountable party" in finding.message
    assert "deputy-cio is inactive" in finding.message


def test_quiet_when_an_assignment_file_names_the_accountable(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/it.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: it.asset-inventory
                    title: Keep the inventory of hardware and software assets
                    raci:
                      responsible: [it-ops]
                """,
            "assignments/cio-office.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: it.asset-inventory
                    accountable: cio
                """,
        }
    )
    assert of_rule(report, RULE) == []


def test_quiet_when_an_active_accountable_remains_beside_an_inactive_one(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "people.yaml": INACTIVE_DEPUTY,
            "duties/it.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: it.asset-inventory
                    title: Keep the inventory of hardware and software assets
                    raci:
                      accountable: [deputy-cio, cio]
                      responsible: [it-ops]
                """,
        }
    )
    assert of_rule(report, RULE) == []


def test_quiet_when_the_accountable_is_an_unknown_party(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/it.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: it.asset-inventory
                    title: Keep the inventory of hardware and software assets
                    raci:
                      accountable: cfo
                      responsible: [it-ops]
                """,
        }
    )
    assert of_rule(report, RULE) == []
    assert positions(report, "unknown-party") == [("policies/duties/it.yaml", 7, 20)]
