"""`raci explain RULE`: built-in and custom rules documented alike, with examples that are true.

For custom rules the failing and passing examples are generated from the rule's
selectors; each is written to a policy set with the rule and checked, so the
documentation is proved right: the failing example fires the rule, the passing
one does not, and neither is broken YAML or matches nothing.
"""

from __future__ import annotations

import datetime
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from checker.cli import main
from checker.config import load_config
from checker.engine import Report, check
from checker.registry import RULES
from tests.conftest import PARTIES, of_rule, write_tree

# The parties the generated examples name, besides those of the rules.
EXAMPLE_PARTIES = PARTIES + "".join(
    f"  - {{id: {p}, name: {p}, type: team}}\n" for p in ("someone-else", "a-team", "team-a", "team-b")
)

REQUIRE = """\
apiVersion: raci/v1
kind: Rules
rules:
  - id: security-embedded
    type: require
    description: Security is consulted on every technology duty
    select: {domain: [it, product]}
    require: {party: ciso, as: [accountable, responsible, consulted]}
"""

SEPARATE = """\
apiVersion: raci/v1
kind: Rules
rules:
  - id: access-sod
    type: separate
    description: Whoever grants access must not approve it
    left: {ids: ["iam.grant-*"]}
    right: {ids: ["iam.approve-*"]}
    letters: [accountable, responsible]
    severity: warning
"""

# A duty, so that the rule sets above are a policy set with something in it.
DUTIES = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: it.backup
    title: Back up production data
    domain: it
    raci: {accountable: cio, responsible: [it-ops], consulted: [ciso]}
"""

PARSE_RULES = ("yaml-syntax", "duplicate-key", "schema", "duplicate-id")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="raci")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository as the current directory."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    monkeypatch.chdir(root)
    return root


def with_rules(root: Path, rules: str) -> Path:
    write_tree(
        root,
        {"policies/parties.yaml": EXAMPLE_PARTIES, "policies/duties.yaml": DUTIES, "policies/rules.yaml": rules},
    )
    return root


def explained(rule: str) -> str:
    result = invoke("explain", rule)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout


def examples(text: str) -> tuple[str, str]:
    """The failing and the passing example of `raci explain`'s output, as Duties documents."""

    def block(title: str) -> str:
        lines = text.splitlines()
        start = lines.index(f"{title} example::") + 1
        assert lines[start] == ""
        body: list[str] = []
        for line in lines[start + 1 :]:
            if line and not line.startswith("    "):
                break
            body.append(line)
        return "apiVersion: raci/v1\nkind: Duties\n" + textwrap.dedent("\n".join(body)).strip() + "\n"

    return block("Failing"), block("Passing")


def check_example(root: Path, rules: str, duties: str) -> Report:
    (root / ".git").mkdir(parents=True)
    write_tree(
        root,
        {"policies/parties.yaml": EXAMPLE_PARTIES, "policies/rules.yaml": rules, "policies/example.yaml": duties},
    )
    return check(config=load_config(cwd=root), today=datetime.date(2027, 1, 15))


# --- custom rules ---------------------------------------------------------------------------------


def test_explain_a_require_rule(project: Path) -> None:
    with_rules(project, REQUIRE)
    text = explained("security-embedded")
    lines = text.splitlines()
    assert lines[0] == "security-embedded (custom require rule, severity: error, defined at policies/rules.yaml:4:9)"
    assert "Security is consulted on every technology duty." in lines
    assert (
        "Every duty chosen by {domain: [it, product]} must name ciso as accountable, responsible or consulted." in lines
    )
    assert "Failing example::" in lines
    assert "Passing example::" in lines
    assert lines.index("Failing example::") < lines.index("Passing example::")


def test_explain_a_separate_rule(project: Path) -> None:
    with_rules(project, SEPARATE)
    text = explained("access-sod")
    lines = text.splitlines()
    assert lines[0] == "access-sod (custom separate rule, severity: warning, defined at policies/rules.yaml:4:9)"
    assert "Whoever grants access must not approve it." in lines
    assert "accountable or responsible" in text
    assert "{ids: ['iam.grant-*']}" in text
    assert "{ids: ['iam.approve-*']}" in text
    assert "Failing example::" in lines
    assert "Passing example::" in lines


def test_explain_finds_rules_in_any_file_of_the_set(project: Path) -> None:
    write_tree(
        project,
        {
            "policies/parties.yaml": EXAMPLE_PARTIES,
            "policies/governance/security.yaml": REQUIRE,
            "policies/governance/access.yaml": SEPARATE,
        },
    )
    assert "defined at policies/governance/security.yaml:4:9" in explained("security-embedded")
    assert "defined at policies/governance/access.yaml:4:9" in explained("access-sod")


def test_a_description_ending_with_a_full_stop_is_not_doubled(project: Path) -> None:
    with_rules(project, SEPARATE.replace("must not approve it\n", "must not approve it.\n"))
    text = explained("access-sod")
    assert "Whoever grants access must not approve it." in text.splitlines()
    assert ".." not in text


def require_rule(select: str, as_: str = "[consulted]", party: str = "ciso") -> str:
    return REQUIRE.replace("{domain: [it, product]}", select).replace(
        "{party: ciso, as: [accountable, responsible, consulted]}", f"{{party: {party}, as: {as_}}}"
    )


def separate_rule(left: str, right: str, letters: str = "[accountable, responsible]") -> str:
    return (
        SEPARATE.replace('{ids: ["iam.grant-*"]}', left)
        .replace('{ids: ["iam.approve-*"]}', right)
        .replace("[accountable, responsible]", letters)
    )


@pytest.mark.parametrize(
    ("rule_id", "rules"),
    [
        pytest.param("security-embedded", REQUIRE, id="require-domain-any-of-three-letters"),
        pytest.param("security-embedded", require_rule("{tags: [customer-data]}"), id="require-tags"),
        pytest.param("security-embedded", require_rule('{ids: ["sec.*"]}'), id="require-ids-star"),
        pytest.param("security-embedded", require_rule("{ids: [sec.vuln-patching]}"), id="require-exact-id"),
        pytest.param(
            "security-embedded",
            require_rule('{domain: [it], tags: [cloud, customer-data], ids: ["*.backup"]}', as_="[accountable]"),
            id="require-all-keys",
        ),
        pytest.param("security-embedded", require_rule("{domain: [it]}", as_="[informed]"), id="require-informed"),
        pytest.param(
            "security-embedded",
            require_rule("{domain: [it]}", as_="[consulted, informed]", party="cio"),
            id="require-other-party",
        ),
        pytest.param(
            "security-embedded",
            require_rule("{domain: [it]}", as_="[responsible]"),
            id="require-responsible",
        ),
        pytest.param(
            "security-embedded",
            require_rule("{domain: [it]}", as_="[responsible, consulted]"),
            id="require-responsible-or-consulted",
        ),
        pytest.param("security-embedded", require_rule('{ids: ["it.backu?"]}'), id="require-glob-?"),
        pytest.param("security-embedded", require_rule('{ids: ["[is]t.*"]}'), id="require-glob-[]"),
        pytest.param("access-sod", SEPARATE, id="separate-ids"),
        pytest.param(
            "access-sod",
            separate_rule("{domain: [finance], tags: [payments]}", "{domain: [finance], tags: [approvals]}"),
            id="separate-domain-and-tags",
        ),
        pytest.param("access-sod", separate_rule("{domain: [it]}", "{domain: [it]}"), id="separate-same-selector"),
        pytest.param(
            "access-sod",
            separate_rule("{tags: [payments]}", '{ids: ["fin.*"]}', "[consulted]"),
            id="separate-consulted",
        ),
        pytest.param(
            "access-sod",
            separate_rule('{ids: ["iam.grant-?"]}', '{ids: ["iam.approve-*"]}'),
            id="separate-glob-?",
        ),
        pytest.param(
            "access-sod",
            separate_rule('{ids: ["iam.[gr]rant-*"]}', '{ids: ["iam.approve-*"]}'),
            id="separate-glob-[]",
        ),
    ],
)
def test_the_generated_examples_really_fail_and_pass(project: Path, rule_id: str, rules: str) -> None:
    with_rules(project, rules)
    failing, passing = examples(explained(rule_id))

    fails = check_example(project.parent / "failing", rules, failing)
    assert [f for f in fails.findings if f.rule in PARSE_RULES] == [], failing
    assert of_rule(fails, "rule-unused") == [], failing
    assert of_rule(fails, rule_id) != [], failing
    assert all(f.location.file == "policies/example.yaml" for f in of_rule(fails, rule_id))

    passes = check_example(project.parent / "passing", rules, passing)
    assert [f for f in passes.findings if f.rule in PARSE_RULES] == [], passing
    assert of_rule(passes, "rule-unused") == [], passing
    assert of_rule(passes, rule_id) == [], passing


# --- built-in rules -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rule-unused", "waiver-expired", "waiver-unused", "waiver-too-long"])
def test_explain_builtin_governance_rules(project: Path, name: str) -> None:
    # no policy set here: built-in rules need none
    text = explained(name)
    lines = text.splitlines()
    assert lines[0] == f"{name} (default severity: {RULES[name].SEVERITY.value})"
    assert any(line.startswith("Failing example") for line in lines)
    assert any(line.startswith("Passing example") for line in lines)


def test_a_custom_rule_with_a_builtin_name_does_not_hide_the_builtin(project: Path) -> None:
    with_rules(project, REQUIRE.replace("id: security-embedded", "id: double-ownership"))
    text = explained("double-ownership")
    assert text.startswith("double-ownership (default severity: error)\n")
    assert "custom" not in text.splitlines()[0]


# --- unknown names ----------------------------------------------------------------------------------


def usage_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("raci: error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


def test_explain_an_unknown_rule_exits_2_with_a_hint(project: Path) -> None:
    assert usage_error(invoke("explain", "nope")) == "raci: error: unknown rule 'nope'; `raci rules` lists them"
    with_rules(project, REQUIRE)
    assert usage_error(invoke("explain", "nope")) == "raci: error: unknown rule 'nope'; `raci rules` lists them"


def test_explain_suggests_a_close_builtin_or_custom_name(project: Path) -> None:
    line = usage_error(invoke("explain", "double-ownershp"))
    assert "(did you mean 'double-ownership'?)" in line
    with_rules(project, REQUIRE)
    line = usage_error(invoke("explain", "security-embeded"))
    assert "unknown rule 'security-embeded'" in line
    assert "(did you mean 'security-embedded'?)" in line
    assert "`raci rules` lists them" in line
