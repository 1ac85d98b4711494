from __future__ import annotations

from tests.conftest import CheckFiles, of_rule, positions
from tests.rules._helpers import where

RULE = "duplicate-key"
FILE = "policies/duties/security.yaml"


def test_fires_at_the_second_key_names_both_lines_and_keeps_the_later_value(check_files: CheckFiles) -> None:
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
                      accountable: cisco
                      responsible: [security-ops]
                """,
        }
    )
    assert positions(report, RULE) == [(FILE, 8, 7)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == FILE
    assert finding.detail == "duties[0].raci.accountable"
    assert where(finding.related) == [(FILE, 7, 7)]
    assert "duplicate key 'accountable'" in finding.message
    assert "line 7" in finding.message
    assert finding.severity.value == "error"
    # the later value is the one used (and the earlier one is gone: no double ownership)
    assert positions(report, "unknown-party") == [(FILE, 8, 20)]
    assert of_rule(report, "double-ownership") == []


def test_fires_on_a_repeated_top_level_key_and_the_rest_of_the_file_is_checked(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - {id: sec.old, title: Replaced by the later list}
                duties:
                  - {id: sec.new, title: Kept, raci: {accountable: ciso}}
                """,
            "assignments/security.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - {duty: sec.old, responsible: security-ops}
                """,
        }
    )
    assert positions(report, RULE) == [(FILE, 5, 1)]
    (finding,) = of_rule(report, RULE)
    assert finding.detail == "duties"
    assert where(finding.related) == [(FILE, 3, 1)]
    assert [f.subject for f in of_rule(report, "unknown-duty")] == ["sec.old"]
    assert positions(report, "no-responsible") == [(FILE, 6, 10)]


def test_fires_in_a_flow_mapping(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - {id: sec.x, title: X, id: sec.y}
                """,
        }
    )
    assert positions(report, RULE) == [(FILE, 4, 27)]
    (finding,) = of_rule(report, RULE)
    assert where(finding.related) == [(FILE, 4, 6)]
    assert finding.detail == "duties[0].id"


def test_quiet_when_keys_repeat_only_across_mappings(check_files: CheckFiles) -> None:
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
                      consulted: [cio]
                  - id: sec.forensics
                    title: Preserve evidence after an incident
                    raci:
                      accountable: ciso
                """,
        }
    )
    assert of_rule(report, RULE) == []


def test_a_key_written_three_times_names_the_first_line(check_files: CheckFiles) -> None:
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
                      accountable: cio
                      accountable: ceo
                      responsible: [security-ops]
                """,
        }
    )
    assert positions(report, RULE) == [(FILE, 8, 7), (FILE, 9, 7)]
    second, third = of_rule(report, RULE)
    assert "(3 times)" not in second.message
    assert third.message == (
        "duplicate key 'accountable' at duties[0].raci.accountable (3 times): first written at line 7;"
        " the later value is used"
    )
    assert (second.detail, third.detail) == ("duties[0].raci.accountable", "duties[0].raci.accountable#2")
    assert (FILE, 7, 7) in where(third.related)
    # Two findings, two identities (a baseline must not mistake one for the other).
    assert second.fingerprint != third.fingerprint


def test_at_most_100_per_file_then_one_that_counts_the_rest(check_files: CheckFiles) -> None:
    repeated = "".join(f"      k{i}: 1\n      k{i}: 2\n" for i in range(150))
    report = check_files(
        {
            "duties/security.yaml": "apiVersion: raci/v1\nkind: Duties\nduties:\n  - id: sec.x\n    title: X\n"
            "    raci:\n" + repeated,
        }
    )
    findings = of_rule(report, RULE)
    assert len(findings) == 101  # the loader's own count is not counted again by the engine
    (more,) = [f for f in findings if f.detail == "(more)"]
    assert more.message == "50 more duplicate keys in this file are not listed; the later value is used for each"
    assert more.location == (FILE, 206, 7)
