"""rule-unused: a custom rule's `select`, `left` or `right` matches no duty."""

from __future__ import annotations

import pytest

from checker.finding import Severity
from tests.conftest import CheckFiles, of_rule, positions

DUTIES = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: iam.grant-prod
    title: Grant production access
    domain: it
    tags: [access]
    raci: {accountable: cio, responsible: [it-ops], informed: [ceo]}
  - id: iam.approve-prod
    title: Approve production access
    domain: security
    raci: {accountable: ciso, responsible: [security-ops]}
"""


def require(select: str) -> str:
    """One `require` rule; `select:`'s value starts at 7:13."""
    return f"""\
apiVersion: raci/v1
kind: Rules
rules:
  - id: security-embedded
    type: require
    description: Security is consulted on every technology duty
    select: {select}
    require: {{party: ciso, as: [accountable, consulted]}}
"""


def separate(left: str, right: str) -> str:
    """One `separate` rule; `left:`'s value starts at 7:11, `right:`'s at 8:12."""
    return f"""\
apiVersion: raci/v1
kind: Rules
rules:
  - id: access-sod
    type: separate
    description: Whoever grants access must not approve it
    left: {left}
    right: {right}
    letters: [accountable, responsible]
"""


def test_fires_at_a_select_that_matches_no_duty(check_files: CheckFiles) -> None:
    report = check_files({"duties.yaml": DUTIES, "rules.yaml": require("{domain: [technology]}")})
    (finding,) = of_rule(report, "rule-unused")
    assert finding.severity is Severity.WARNING
    assert finding.subject == "security-embedded"
    assert finding.detail == "select"
    assert finding.location == ("policies/rules.yaml", 7, 13)
    assert finding.related == ()
    assert finding.message == "`select:` of rule security-embedded matches no duty, so the rule checks nothing"
    assert of_rule(report, "security-embedded") == []
    assert not report.failed(Severity.ERROR)


@pytest.mark.parametrize(
    "select",
    [
        "{domain: [it]}",
        "{tags: [access]}",
        '{ids: ["iam.*"]}',
        "{ids: [iam.grant-prod]}",
        "{domain: [it, finance], tags: [access, payments]}",
    ],
)
def test_quiet_when_select_matches(check_files: CheckFiles, select: str) -> None:
    report = check_files({"duties.yaml": DUTIES, "rules.yaml": require(select)})
    assert of_rule(report, "rule-unused") == []


@pytest.mark.parametrize(
    "select",
    [
        "{tags: [customer-data]}",
        '{ids: ["iam.grant"]}',
        '{ids: ["iam.grant-?"]}',
        "{domain: [security], tags: [access]}",  # each key matches a duty, not the same one
    ],
)
def test_fires_for_each_kind_of_selector(check_files: CheckFiles, select: str) -> None:
    report = check_files({"duties.yaml": DUTIES, "rules.yaml": require(select)})
    assert positions(report, "rule-unused") == [("policies/rules.yaml", 7, 13)]


def test_a_block_selector_is_reported_at_its_first_key(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties.yaml": DUTIES,
            "rules.yaml": """\
                apiVersion: raci/v1
                kind: Rules
                rules:
                  - id: security-embedded
                    type: require
                    description: Security is consulted on every technology duty
                    select:
                      domain: [technology]
                    require: {party: ciso, as: [consulted]}
                """,
        }
    )
    assert positions(report, "rule-unused") == [("policies/rules.yaml", 8, 7)]


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ('{ids: ["iam.revoke-*"]}', '{ids: ["iam.approve-*"]}', [("left", 7, 11)]),
        ('{ids: ["iam.grant-*"]}', '{ids: ["iam.review-*"]}', [("right", 8, 12)]),
        ("{domain: [hr]}", "{tags: [hr]}", [("left", 7, 11), ("right", 8, 12)]),
        ('{ids: ["iam.grant-*"]}', '{ids: ["iam.approve-*"]}', []),
    ],
)
def test_separate_left_and_right(
    check_files: CheckFiles, left: str, right: str, expected: list[tuple[str, int, int]]
) -> None:
    report = check_files({"duties.yaml": DUTIES, "rules.yaml": separate(left, right)})
    found = of_rule(report, "rule-unused")
    assert [(f.detail, f.location.line, f.location.column) for f in found] == expected
    assert all(f.subject == "access-sod" for f in found)
    assert all(f.location.file == "policies/rules.yaml" for f in found)
    assert [f.message for f in found] == [
        f"`{key}:` of rule access-sod matches no duty, so the rule checks nothing" for key, _, _ in expected
    ]


def test_fires_when_the_policy_set_has_no_duties(check_files: CheckFiles) -> None:
    report = check_files({"rules.yaml": require("{domain: [it]}")})
    assert positions(report, "rule-unused") == [("policies/rules.yaml", 7, 13)]


def test_a_duty_defined_in_another_file_counts(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/iam.yaml": DUTIES,
            "rules/security.yaml": require("{domain: [security]}"),
        }
    )
    assert of_rule(report, "rule-unused") == []


def test_an_assignment_to_an_undefined_duty_is_not_a_match(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties.yaml": DUTIES,
            "assignments.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: hr.payroll
                    accountable: ceo
                """,
            "rules.yaml": require('{ids: ["hr.*"]}'),
        }
    )
    assert positions(report, "rule-unused") == [("policies/rules.yaml", 7, 13)]


@pytest.mark.parametrize(("level", "expected"), [("error", Severity.ERROR), ("info", Severity.INFO)])
def test_severity_overridden_in_raci_yaml(check_files: CheckFiles, level: str, expected: Severity) -> None:
    report = check_files(
        {"duties.yaml": DUTIES, "rules.yaml": require("{domain: [technology]}")},
        config=f"rules:\n  rule-unused: {level}\n",
    )
    assert [f.severity for f in of_rule(report, "rule-unused")] == [expected]


def test_off_in_raci_yaml(check_files: CheckFiles) -> None:
    report = check_files(
        {"duties.yaml": DUTIES, "rules.yaml": require("{domain: [technology]}")},
        config="rules:\n  rule-unused: off\n",
    )
    assert of_rule(report, "rule-unused") == []
