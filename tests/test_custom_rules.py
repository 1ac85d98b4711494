"""The policy set's own rules (`kind: Rules`): selectors, `require`, `separate`, severities, `raci rules`.

Every finding is checked with its exact place, subject, detail, related places,
severity and message, since these are what a reviewer, a waiver and a baseline
rely on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from checker.cli import main
from checker.finding import Finding, Severity
from checker.registry import RULES
from tests.conftest import PARTIES, CheckFiles, of_rule, positions, write_tree
from tests.rules._helpers import where

# Five duties; the line of each duty's `id:` (its value is at column 9) is in DUTY_LINE.
DUTIES = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: it.asset-inventory
    title: Keep the asset inventory
    domain: it
    tags: [cloud]
    raci: {accountable: cio, responsible: [it-ops], informed: [ceo, security-ops]}
  - id: it.backup
    title: Back up production data
    domain: it
    tags: [customer-data]
    raci: {accountable: cio, responsible: [it-ops]}
  - id: prod.release
    title: Release the product
    domain: product
    raci: {accountable: ceo, responsible: [it-ops]}
  - id: sec.monitoring
    title: Monitor alerts
    domain: security
    tags: [cloud, customer-data]
    raci: {accountable: ciso, responsible: [security-ops]}
  - id: misc.notes
    title: Keep the meeting notes
    raci: {accountable: ceo, responsible: [it-ops]}
"""
DUTY_LINE = {"it.asset-inventory": 4, "it.backup": 9, "prod.release": 14, "sec.monitoring": 18, "misc.notes": 23}
ALL = list(DUTY_LINE)

DESCRIPTION = "Security is consulted on every selected duty"


def require(
    select: str,
    *,
    as_: str = "[consulted]",
    party: str = "ciso",
    severity: str | None = None,
    rule_id: str = "security-embedded",
) -> str:
    """A Rules file with one `require` rule: its id at 4:9, `select` at 7:13, the party at 8:22."""
    text = f"""\
apiVersion: raci/v1
kind: Rules
rules:
  - id: {rule_id}
    type: require
    description: {DESCRIPTION}
    select: {select}
    require: {{party: {party}, as: {as_}}}
"""
    return text + (f"    severity: {severity}\n" if severity else "")


RULE_AT = ("policies/rules.yaml", 4, 9)


def selected_by(report_findings: list[Finding]) -> list[str]:
    return [f.subject for f in report_findings]


# --- selectors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("select", "expected"),
    [
        # domain: any of the values
        ("{domain: [it]}", ["it.asset-inventory", "it.backup"]),
        ("{domain: [it, product]}", ["it.asset-inventory", "it.backup", "prod.release"]),
        ("{domain: [security, product]}", ["prod.release", "sec.monitoring"]),
        # tags: any of the values
        ("{tags: [cloud]}", ["it.asset-inventory", "sec.monitoring"]),
        ("{tags: [customer-data]}", ["it.backup", "sec.monitoring"]),
        ("{tags: [cloud, customer-data]}", ["it.asset-inventory", "it.backup", "sec.monitoring"]),
        # ids: shell-style globs, or exact ids, any of the values
        ('{ids: ["it.*"]}', ["it.asset-inventory", "it.backup"]),
        ('{ids: ["*"]}', ALL),
        ('{ids: ["*.backup"]}', ["it.backup"]),
        ('{ids: ["it.back?p"]}', ["it.backup"]),
        ('{ids: ["?t.*"]}', ["it.asset-inventory", "it.backup"]),
        ('{ids: ["[ps]*"]}', ["prod.release", "sec.monitoring"]),
        ('{ids: ["[!i]*"]}', ["prod.release", "sec.monitoring", "misc.notes"]),
        ("{ids: [it.backup]}", ["it.backup"]),
        ("{ids: [it.backup, misc.notes]}", ["it.backup", "misc.notes"]),
        ('{ids: ["prod.*", "*.notes"]}', ["prod.release", "misc.notes"]),
        # keys combine with AND
        ("{domain: [it], tags: [customer-data]}", ["it.backup"]),
        ("{domain: [it, security], tags: [cloud]}", ["it.asset-inventory", "sec.monitoring"]),
        ('{tags: [cloud], ids: ["it.*"]}', ["it.asset-inventory"]),
        ('{domain: [security], ids: ["*"]}', ["sec.monitoring"]),
        (
            '{domain: [it, product], tags: [cloud, customer-data], ids: ["*.backup", "prod.*"]}',
            ["it.backup"],
        ),
    ],
)
def test_selectors_choose_exactly_these_duties(check_files: CheckFiles, select: str, expected: list[str]) -> None:
    report = check_files({"duties.yaml": DUTIES, "rules.yaml": require(select)})
    # nobody names ciso as consulted, so every selected duty fires, at its id, in reading order
    assert selected_by(of_rule(report, "security-embedded")) == expected
    assert positions(report, "security-embedded") == [("policies/duties.yaml", DUTY_LINE[d], 9) for d in expected]
    assert of_rule(report, "rule-unused") == []


@pytest.mark.parametrize(
    "select",
    [
        "{domain: [finance]}",
        "{tags: [payments]}",
        "{ids: [it]}",  # a glob matches the whole id, not a prefix
        '{ids: ["it.backup?"]}',  # `?` is exactly one character
        '{ids: ["IT.*"]}',  # ids are matched case-sensitively
        '{ids: ["[xyz]*"]}',
        "{domain: [product], tags: [cloud]}",  # each key matches something, both together nothing
        "{domain: [security], ids: [it.backup]}",
        "{ids: [misc.notes], domain: [it]}",  # a duty without a domain is never chosen by `domain`
        "{ids: [misc.notes], tags: [cloud]}",  # nor one without tags by `tags`
    ],
)
def test_selectors_that_choose_nothing(check_files: CheckFiles, select: str) -> None:
    report = check_files({"duties.yaml": DUTIES, "rules.yaml": require(select)})
    assert of_rule(report, "security-embedded") == []
    assert positions(report, "rule-unused") == [("policies/rules.yaml", 7, 13)]


def test_a_duty_without_domain_or_tags_is_chosen_by_its_id(check_files: CheckFiles) -> None:
    report = check_files({"duties.yaml": DUTIES, "rules.yaml": require("{ids: [misc.notes]}")})
    (finding,) = of_rule(report, "security-embedded")
    assert finding.subject == "misc.notes"
    assert finding.location == ("policies/duties.yaml", 23, 9)


def test_a_block_style_selector_selects_alike(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties.yaml": DUTIES,
            "rules.yaml": """\
                apiVersion: raci/v1
                kind: Rules
                rules:
                  - id: security-embedded
                    type: require
                    description: Security is consulted on every selected duty
                    select:
                      domain:
                        - it
                      tags:
                        - customer-data
                    require:
                      party: ciso
                      as: [consulted]
                """,
        }
    )
    assert selected_by(of_rule(report, "security-embedded")) == ["it.backup"]


# --- require ------------------------------------------------------------------------------------


def test_require_finding_is_reported_under_the_rules_own_id(check_files: CheckFiles) -> None:
    report = check_files({"duties.yaml": DUTIES, "rules.yaml": require("{ids: [it.backup]}")})
    (finding,) = of_rule(report, "security-embedded")
    assert finding.severity is Severity.ERROR
    assert finding.subject == "it.backup"
    assert finding.location == ("policies/duties.yaml", 9, 9)
    assert where(finding.related) == [RULE_AT]
    assert finding.detail == ""
    assert finding.message == f"{DESCRIPTION}: ciso is not consulted on it.backup"
    assert finding.suppressed is False
    assert finding.waiver is None
    assert report.failed(Severity.ERROR)


@pytest.mark.parametrize(
    ("as_", "said"),
    [
        ("[consulted]", "consulted"),
        ("[accountable, responsible, consulted]", "accountable, responsible or consulted"),
        ("[consulted, accountable]", "accountable or consulted"),  # in RACI order, whatever the rule's order
        ("[informed, responsible]", "responsible or informed"),
    ],
)
def test_require_message_names_the_letters(check_files: CheckFiles, as_: str, said: str) -> None:
    report = check_files({"duties.yaml": DUTIES, "rules.yaml": require("{ids: [prod.release]}", as_=as_)})
    (finding,) = of_rule(report, "security-embedded")
    assert finding.message == f"{DESCRIPTION}: ciso is not {said} on prod.release"


def test_require_is_quiet_when_the_party_holds_one_of_the_letters_inline(check_files: CheckFiles) -> None:
    # ciso is accountable on sec.monitoring: one of the letters is enough; the it duties lack ciso.
    report = check_files(
        {
            "duties.yaml": DUTIES,
            "rules.yaml": require("{domain: [it, security]}", as_="[accountable, consulted]"),
        }
    )
    assert selected_by(of_rule(report, "security-embedded")) == ["it.asset-inventory", "it.backup"]


def test_informed_is_not_enough_unless_listed(check_files: CheckFiles) -> None:
    duties = """\
        apiVersion: raci/v1
        kind: Duties
        duties:
          - id: it.backup
            title: Back up production data
            domain: it
            raci: {accountable: cio, responsible: [it-ops], informed: [ciso, ceo, security-ops]}
        """
    fires = check_files({"duties.yaml": duties, "rules.yaml": require("{domain: [it]}")})
    assert selected_by(of_rule(fires, "security-embedded")) == ["it.backup"]
    quiet = check_files({"duties.yaml": duties, "rules.yaml": require("{domain: [it]}", as_="[consulted, informed]")})
    assert of_rule(quiet, "security-embedded") == []


def test_require_counts_claims_wherever_they_are_written(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: it.asset-inventory
                    title: Keep the asset inventory
                    domain: it
                    raci: {accountable: cio, responsible: [it-ops], consulted: [ciso]}
                  - id: it.backup
                    title: Back up production data
                    domain: it
                    raci: {accountable: cio, responsible: [it-ops]}
                  - id: it.patching
                    title: Patch servers
                    domain: it
                    raci: {accountable: cio, responsible: [it-ops]}
                """,
            "assignments/security-office.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: it.backup
                    consulted: [ciso]
                    informed: [ceo, security-ops]
                """,
            "rules.yaml": require("{domain: [it]}"),
        }
    )
    # inline (it.asset-inventory) and assigned (it.backup) claims satisfy the rule alike
    (finding,) = of_rule(report, "security-embedded")
    assert finding.subject == "it.patching"
    assert finding.location == ("policies/duties.yaml", 12, 9)


def test_a_claim_on_another_duty_does_not_count(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties.yaml": DUTIES,
            "assignments/security-office.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: it.asset-inventory
                    consulted: [ciso]
                """,
            "rules.yaml": require("{domain: [it]}"),
        }
    )
    assert selected_by(of_rule(report, "security-embedded")) == ["it.backup"]


@pytest.mark.parametrize("severity", ["warning", "info"])
def test_severity_set_in_the_rule(check_files: CheckFiles, severity: str) -> None:
    report = check_files({"duties.yaml": DUTIES, "rules.yaml": require("{ids: [it.backup]}", severity=severity)})
    (finding,) = of_rule(report, "security-embedded")
    assert finding.severity is Severity(severity)
    assert finding.location == ("policies/duties.yaml", 9, 9)
    assert not report.failed(Severity.ERROR)
    assert report.summary()[severity] >= 1


def test_severity_error_in_the_rule_is_the_default(check_files: CheckFiles) -> None:
    explicit = check_files({"duties.yaml": DUTIES, "rules.yaml": require("{ids: [it.backup]}", severity="error")})
    assert [f.severity for f in of_rule(explicit, "security-embedded")] == [Severity.ERROR]


def test_severity_off_in_the_rule_disables_it(check_files: CheckFiles) -> None:
    report = check_files({"duties.yaml": DUTIES, "rules.yaml": require('{ids: ["*"]}', severity="off")})
    assert of_rule(report, "security-embedded") == []
    assert not report.failed(Severity.INFO)


@pytest.mark.parametrize(
    ("in_rule", "in_config", "expected"),
    [
        (None, "warning", Severity.WARNING),
        ("error", "info", Severity.INFO),
        ("info", "error", Severity.ERROR),
        ("warning", "warning", Severity.WARNING),
    ],
)
def test_raci_yaml_overrides_the_rules_own_severity(
    check_files: CheckFiles, in_rule: str | None, in_config: str, expected: Severity
) -> None:
    report = check_files(
        {"duties.yaml": DUTIES, "rules.yaml": require("{ids: [it.backup]}", severity=in_rule)},
        config=f"rules:\n  security-embedded: {in_config}\n",
    )
    (finding,) = of_rule(report, "security-embedded")
    assert finding.severity is expected
    assert finding.location == ("policies/duties.yaml", 9, 9)
    # a custom rule's id is a known name in .raci.yaml: no schema finding about it
    assert of_rule(report, "schema") == []


@pytest.mark.parametrize("in_rule", [None, "error", "warning"])
def test_off_in_raci_yaml_disables_a_custom_rule(check_files: CheckFiles, in_rule: str | None) -> None:
    report = check_files(
        {"duties.yaml": DUTIES, "rules.yaml": require('{ids: ["*"]}', severity=in_rule)},
        config="rules:\n  security-embedded: off\n",
    )
    assert of_rule(report, "security-embedded") == []
    assert of_rule(report, "schema") == []


def test_raci_yaml_can_turn_on_a_rule_that_is_off_in_its_definition(check_files: CheckFiles) -> None:
    report = check_files(
        {"duties.yaml": DUTIES, "rules.yaml": require("{ids: [it.backup]}", severity="off")},
        config="rules:\n  security-embedded: warning\n",
    )
    assert [(f.subject, f.severity) for f in of_rule(report, "security-embedded")] == [("it.backup", Severity.WARNING)]


def test_unknown_required_party_is_reported_under_the_rule(check_files: CheckFiles) -> None:
    report = check_files({"duties.yaml": DUTIES, "rules.yaml": require("{ids: [it.backup]}", party="cisco")})
    (finding,) = [f for f in of_rule(report, "unknown-party") if f.subject == "security-embedded"]
    assert finding.severity is Severity.ERROR
    assert finding.location == ("policies/rules.yaml", 8, 22)
    assert finding.detail == "require:cisco"
    assert finding.related == ()
    assert "rule security-embedded" in finding.message
    assert "'cisco'" in finding.message
    assert "did you mean 'ciso'?" in finding.message
    assert [f.subject for f in of_rule(report, "unknown-party")] == ["security-embedded"]


# --- separate ------------------------------------------------------------------------------------

# cio and it-ops grant; ciso and security-ops approve. Claim columns: accountable 20, responsible list 21.
IAM = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: iam.grant-prod
    title: Grant production access
    raci:
      accountable: cio
      responsible: [it-ops]
      informed: [ceo]
  - id: iam.approve-prod
    title: Approve production access
    raci:
      accountable: ciso
      responsible: [security-ops]
"""
IAM_FILE = "policies/duties/iam.yaml"
SOD_DESCRIPTION = "Whoever grants access must not approve it"


def separate(
    left: str = '{ids: ["iam.grant-*"]}',
    right: str = '{ids: ["iam.approve-*"]}',
    letters: str = "[accountable, responsible]",
    severity: str | None = None,
) -> str:
    """A Rules file with one `separate` rule: its id at 4:9, `left` at 7:11, `right` at 8:12."""
    text = f"""\
apiVersion: raci/v1
kind: Rules
rules:
  - id: access-sod
    type: separate
    description: {SOD_DESCRIPTION}
    left: {left}
    right: {right}
    letters: {letters}
"""
    return text + (f"    severity: {severity}\n" if severity else "")


def assignment(duty: str, letter: str, parties: str) -> str:
    """An Assignments file naming `parties` (a flow list) at line 5, column 7 + len(letter) + 3."""
    return f"""\
apiVersion: raci/v1
kind: Assignments
assignments:
  - duty: {duty}
    {letter}: {parties}
"""


def test_separate_fires_across_files(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/iam.yaml": IAM,
            "assignments/cio-office.yaml": assignment("iam.approve-prod", "responsible", "[cio]"),
            "rules.yaml": separate(),
        }
    )
    (finding,) = of_rule(report, "access-sod")
    assert finding.severity is Severity.ERROR
    assert finding.subject == "iam.grant-prod"
    assert finding.location == (IAM_FILE, 7, 20)  # cio accountable on the left duty
    assert where(finding.related) == [("policies/assignments/cio-office.yaml", 5, 19)]  # cio responsible, right
    assert finding.detail == "cio:iam.approve-prod"
    assert finding.message == (
        f"{SOD_DESCRIPTION}: cio is accountable on iam.grant-prod and responsible on iam.approve-prod"
    )
    assert report.failed(Severity.ERROR)


def test_separate_fires_with_the_left_claim_in_an_assignments_file(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/iam.yaml": IAM,
            "assignments/security-office.yaml": assignment("iam.grant-prod", "responsible", "[ciso]"),
            "rules.yaml": separate(),
        }
    )
    (finding,) = of_rule(report, "access-sod")
    assert finding.subject == "iam.grant-prod"
    assert finding.location == ("policies/assignments/security-office.yaml", 5, 19)
    assert where(finding.related) == [(IAM_FILE, 13, 20)]  # ciso accountable on iam.approve-prod
    assert finding.detail == "ciso:iam.approve-prod"
    assert finding.message == (
        f"{SOD_DESCRIPTION}: ciso is responsible on iam.grant-prod and accountable on iam.approve-prod"
    )


def test_separate_one_finding_per_right_duty(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/iam.yaml": IAM
            + """\
  - id: iam.approve-dev
    title: Approve development access
    raci:
      accountable: ciso
      responsible: [security-ops]
""",
            "assignments/cio-office.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: iam.approve-prod
                    responsible: [cio]
                  - duty: iam.approve-dev
                    responsible: [cio]
                """,
            "rules.yaml": separate(),
        }
    )
    findings = of_rule(report, "access-sod")
    assert [(f.subject, f.detail) for f in findings] == [
        ("iam.grant-prod", "cio:iam.approve-dev"),
        ("iam.grant-prod", "cio:iam.approve-prod"),
    ]
    assert [f.location for f in findings] == [(IAM_FILE, 7, 20), (IAM_FILE, 7, 20)]
    assert [where(f.related) for f in findings] == [
        [("policies/assignments/cio-office.yaml", 7, 19)],
        [("policies/assignments/cio-office.yaml", 5, 19)],
    ]
    assert len({f.fingerprint for f in findings}) == 2


def test_separate_one_finding_per_party_and_pair(check_files: CheckFiles) -> None:
    # cio is accountable and responsible on both sides, it-ops responsible on both: two parties, one pair.
    report = check_files(
        {
            "duties/iam.yaml": IAM,
            "assignments/cio-office.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: iam.grant-prod
                    responsible: [cio]
                  - duty: iam.approve-prod
                    accountable: cio
                    responsible: [cio, it-ops]
                """,
            "rules.yaml": separate(),
        }
    )
    findings = of_rule(report, "access-sod")
    assert [(f.subject, f.detail) for f in findings] == [
        ("iam.grant-prod", "cio:iam.approve-prod"),
        ("iam.grant-prod", "it-ops:iam.approve-prod"),
    ]
    # each at the party's first claim on the left duty, the first on the right duty related
    cio, it_ops = findings
    assert cio.location == ("policies/assignments/cio-office.yaml", 5, 19)
    assert where(cio.related) == [("policies/assignments/cio-office.yaml", 7, 18)]
    assert it_ops.location == (IAM_FILE, 8, 21)
    assert where(it_ops.related) == [("policies/assignments/cio-office.yaml", 8, 24)]


def test_separate_is_quiet_when_different_parties_hold_the_sides(check_files: CheckFiles) -> None:
    report = check_files({"duties/iam.yaml": IAM, "rules.yaml": separate()})
    assert of_rule(report, "access-sod") == []
    assert of_rule(report, "rule-unused") == []


@pytest.mark.parametrize(
    ("letters", "letter", "fires"),
    [
        ("[accountable]", "responsible", False),
        ("[accountable, responsible]", "consulted", False),
        ("[accountable, responsible]", "informed", False),
        ("[responsible]", "responsible", False),  # cio is accountable, not responsible, on the left duty
        ("[accountable, consulted]", "consulted", True),
        ("[accountable, informed]", "informed", True),
    ],
)
def test_separate_only_looks_at_the_listed_letters(
    check_files: CheckFiles, letters: str, letter: str, fires: bool
) -> None:
    report = check_files(
        {
            "duties/iam.yaml": IAM,
            "assignments/cio-office.yaml": assignment("iam.approve-prod", letter, "[cio]"),
            "rules.yaml": separate(letters=letters),
        }
    )
    found = [(f.subject, f.detail) for f in of_rule(report, "access-sod")]
    assert found == ([("iam.grant-prod", "cio:iam.approve-prod")] if fires else [])
    if fires:
        (finding,) = of_rule(report, "access-sod")
        assert finding.message.endswith(f"cio is accountable on iam.grant-prod and {letter} on iam.approve-prod")


def test_a_duty_selected_on_both_sides_is_not_paired_with_itself(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/iam.yaml": IAM,
            "rules.yaml": separate(left="{ids: [iam.grant-prod]}", right='{ids: ["iam.grant-*"]}'),
        }
    )
    assert of_rule(report, "access-sod") == []


def test_overlapping_sides_pair_only_distinct_duties(check_files: CheckFiles) -> None:
    # iam.approve-prod is on both sides: ciso and security-ops hold it, but only with itself.
    report = check_files(
        {
            "duties/iam.yaml": IAM,
            "assignments/cio-office.yaml": assignment("iam.approve-prod", "responsible", "[cio]"),
            "rules.yaml": separate(left='{ids: ["iam.*"]}'),
        }
    )
    assert [(f.subject, f.detail) for f in of_rule(report, "access-sod")] == [
        ("iam.grant-prod", "cio:iam.approve-prod")
    ]


def test_separate_with_domain_and_tags_selectors(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: fin.pay-invoices
                    title: Pay supplier invoices
                    domain: finance
                    tags: [payments]
                    raci: {accountable: cio, responsible: [it-ops]}
                  - id: fin.approve-invoices
                    title: Approve supplier invoices
                    domain: finance
                    tags: [approvals]
                    raci: {accountable: ceo, responsible: [it-ops]}
                  - id: it.approve-changes
                    title: Approve changes
                    domain: it
                    tags: [approvals]
                    raci: {accountable: ciso, responsible: [it-ops], informed: [security-ops]}
                """,
            "rules.yaml": separate(left="{tags: [payments]}", right="{domain: [finance], tags: [approvals]}"),
        }
    )
    (finding,) = of_rule(report, "access-sod")
    assert finding.subject == "fin.pay-invoices"
    assert finding.detail == "it-ops:fin.approve-invoices"
    assert finding.location == ("policies/duties.yaml", 8, 44)
    assert where(finding.related) == [("policies/duties.yaml", 13, 44)]


def test_separate_severity_in_the_rule_and_in_raci_yaml(check_files: CheckFiles) -> None:
    files = {
        "duties/iam.yaml": IAM,
        "assignments/cio-office.yaml": assignment("iam.approve-prod", "responsible", "[cio]"),
        "rules.yaml": separate(severity="info"),
    }
    assert [f.severity for f in of_rule(check_files(files), "access-sod")] == [Severity.INFO]
    assert [f.severity for f in of_rule(check_files(files, config="rules: {access-sod: warning}\n"), "access-sod")] == [
        Severity.WARNING
    ]
    assert of_rule(check_files(files, config="rules: {access-sod: off}\n"), "access-sod") == []


def test_separate_off_in_the_rule(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/iam.yaml": IAM,
            "assignments/cio-office.yaml": assignment("iam.approve-prod", "responsible", "[cio]"),
            "rules.yaml": separate(severity="off"),
        }
    )
    assert of_rule(report, "access-sod") == []


# --- rule ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["double-ownership", "rule-unused", "waiver-expired"])
def test_a_rule_named_like_a_builtin_is_a_duplicate_id_and_not_evaluated(check_files: CheckFiles, name: str) -> None:
    report = check_files({"duties.yaml": DUTIES, "rules.yaml": require('{ids: ["*"]}', rule_id=name)})
    (finding,) = of_rule(report, "duplicate-id")
    assert finding.severity is Severity.ERROR
    assert finding.subject == name
    assert finding.location == RULE_AT
    assert finding.detail == "rule (built-in)"
    assert "built-in" in finding.message
    assert repr(name) in finding.message
    # not evaluated: no finding carries its description (the policy set has no real double ownership)
    assert [f for f in report.findings if DESCRIPTION in f.message] == []
    assert of_rule(report, name) == []


def test_a_rule_id_defined_twice_keeps_the_first(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties.yaml": DUTIES,
            "rules.yaml": require("{ids: [it.backup]}")
            + """\
  - id: security-embedded
    type: require
    description: Security is consulted on the release
    select: {ids: [prod.release]}
    require: {party: ciso, as: [consulted]}
""",
        }
    )
    (finding,) = of_rule(report, "duplicate-id")
    assert finding.subject == "security-embedded"
    assert finding.detail == "rule"
    assert finding.location == ("policies/rules.yaml", 9, 9)
    assert where(finding.related) == [RULE_AT]
    assert selected_by(of_rule(report, "security-embedded")) == ["it.backup"]


# --- raci rules ------------------------------------------------------------------------------------


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="raci")


def rows(output: str) -> dict[str, list[str]]:
    """The `raci rules` table: rule name -> its cells."""
    lines = output.splitlines()
    assert lines[0].split() == ["rule", "severity", "defined", "fires", "when"]
    assert set(lines[1]) <= {"-", " "}
    table: dict[str, list[str]] = {}
    for line in lines[2:]:
        cells = line.split(None, 3)
        assert cells[0] not in table, f"{cells[0]} listed twice"
        table[cells[0]] = cells
    return table


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_raci_rules_lists_builtins_and_the_policy_sets_own(project: Path) -> None:
    write_tree(
        project,
        {
            "policies/parties.yaml": PARTIES,
            "policies/duties/iam.yaml": IAM,
            "policies/rules/security.yaml": require('{ids: ["iam.*"]}', severity="warning"),
            "policies/rules/sod.yaml": separate(),
        },
    )
    result = invoke("rules")
    assert result.exit_code == 0, result.output
    table = rows(result.stdout)
    for name, rule in RULES.items():
        assert table[name][:3] == [name, rule.SEVERITY.value, "built-in"]
    assert table["security-embedded"] == [
        "security-embedded",
        "warning",
        "policies/rules/security.yaml:4:9",
        DESCRIPTION,
    ]
    assert table["access-sod"] == ["access-sod", "error", "policies/rules/sod.yaml:4:9", SOD_DESCRIPTION]
    assert set(table) == {*RULES, "security-embedded", "access-sod"}


def test_raci_rules_lists_a_builtin_once_when_a_custom_rule_takes_its_name(project: Path) -> None:
    write_tree(
        project,
        {
            "policies/parties.yaml": PARTIES,
            "policies/duties.yaml": DUTIES,
            "policies/rules.yaml": require('{ids: ["*"]}', rule_id="double-ownership"),
        },
    )
    result = invoke("rules")
    assert result.exit_code == 0, result.output
    table = rows(result.stdout)
    assert table["double-ownership"][:3] == ["double-ownership", "error", "built-in"]
    assert set(table) == set(RULES)


def test_raci_rules_without_a_policy_set_lists_only_builtins(project: Path) -> None:
    result = invoke("rules")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    table = rows(result.stdout)
    assert set(table) == set(RULES)
    assert all(cells[2] == "built-in" for cells in table.values())
