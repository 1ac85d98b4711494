"""The CI output formats of `raci check`: SARIF, GitHub workflow commands, JUnit XML, Markdown.

Each format is rendered from a real run on a small policy set (a double
ownership with a related place, a warning, a waived finding, a custom rule
whose description is hostile) and from hand-built reports; SARIF is validated
against the official 2.1.0 schema, JUnit is parsed back, and every format is
fed messages that try to break out of it.
"""

from __future__ import annotations

import datetime
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import referencing
from click.testing import CliRunner

from checker.cli import main
from checker.config import load_config
from checker.engine import Baseline, Report, check
from checker.finding import Finding, Location, Severity
from checker.model import CustomRule
from checker.registry import RULES, documentation, summary
from checker.reporters import REPORTERS, github, junit, markdown, render, sarif
from checker.reporters.escape import markdown_cell
from tests.conftest import PARTIES, write_tree

REPO = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = REPO.parent / "shared" / "fixtures" / "sarif-schema-2.1.0.json"
TODAY = datetime.date(2027, 1, 1)

# What a hostile policy file can put in a message: a pipe, HTML, Markdown
# code and link syntax, a percent sign, newlines that try to start workflow
# commands, and a terminal escape.
HOSTILE = "Security | <b>x</b> & `t` \\ [l](http://e.vil) 100%\n::set-env name=X::y\r\n::add-mask::z \x1b[31m"

POLICY = {
    "parties.yaml": PARTIES,
    "duties.yaml": """\
        apiVersion: raci/v1
        kind: Duties
        duties:
          - id: sec.incident-response
            title: Lead the response to security incidents
            domain: security
            raci: {accountable: ciso, responsible: [security-ops], consulted: [it-ops], informed: [it-ops]}
          - id: it.patching
            title: Patch servers
            domain: it
            raci: {accountable: cio, responsible: [it-ops], consulted: [ceo], informed: [ceo]}
        """,
    "assignments.yaml": """\
        apiVersion: raci/v1
        kind: Assignments
        assignments:
          - duty: sec.incident-response
            accountable: cio
        """,
    # YAML escapes: \\ is one backslash, \n \r a newline and a carriage return, \e ESC;
    # a backslash at the end of a line joins the next one.
    "rules.yaml": r"""
        apiVersion: raci/v1
        kind: Rules
        rules:
          - id: security-embedded
            type: require
            description: "Security | <b>x</b> & `t` \\ [l](http://e.vil) 100%\n::set-env name=X::y\r\n\
              ::add-mask::z \e[31m"
            select: {domain: [it]}
            require: {party: ciso, as: [consulted]}
            severity: error
        """.lstrip("\n"),
    "waivers.yaml": """\
        apiVersion: raci/v1
        kind: Waivers
        waivers:
          - rule: redundant-role
            subject: it.patching
            reason: The CEO wants both
            approved_by: [cio]
            expires: 2027-03-31
        """,
}

CLEAN = {
    "parties.yaml": PARTIES,
    "duties.yaml": """\
        apiVersion: raci/v1
        kind: Duties
        duties:
          - id: sec.incident-response
            title: Lead the response to security incidents
            raci: {accountable: ciso, responsible: [security-ops], informed: [ceo, cio, it-ops]}
        """,
}

DOUBLE = (
    "sec.incident-response has 2 accountable parties: cio (policies/assignments.yaml:5:18), "
    "ciso (policies/duties.yaml:7:25); exactly one party must be accountable"
)
REDUNDANT = (
    "'it-ops' is consulted and informed on sec.incident-response; "
    "keep one letter (only accountable and responsible combine)"
)
WAIVED = "'ceo' is consulted and informed on it.patching; keep one letter (only accountable and responsible combine)"
CUSTOM = HOSTILE + ": ciso is not consulted on it.patching"


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> Report:
    (tmp_path / ".git").mkdir(exist_ok=True)
    write_tree(tmp_path, {f"policies/{name}": text for name, text in files.items()})
    monkeypatch.chdir(tmp_path)
    return check(config=load_config(cwd=tmp_path), today=TODAY)


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    return run(tmp_path, monkeypatch, POLICY)


@pytest.fixture
def clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    return run(tmp_path, monkeypatch, CLEAN)


HERE = Location("policies/a.yaml", 3, 5)


def finding(
    message: str = "m",
    *,
    rule: str = "double-ownership",
    severity: Severity = Severity.ERROR,
    subject: str = "s",
    at: Location = HERE,
    related: tuple[Location, ...] = (),
    waiver: Location | None = None,
) -> Finding:
    return Finding(rule, severity, subject, message, at, related, suppressed=waiver is not None, waiver=waiver)


def test_the_report_the_tests_build_on(report: Report) -> None:
    assert [(f.rule, f.severity, f.subject, f.message, f.suppressed) for f in report.findings] == [
        ("double-ownership", Severity.ERROR, "sec.incident-response", DOUBLE, False),
        ("redundant-role", Severity.WARNING, "sec.incident-response", REDUNDANT, False),
        ("security-embedded", Severity.ERROR, "it.patching", CUSTOM, False),
        ("redundant-role", Severity.WARNING, "it.patching", WAIVED, True),
    ]


def test_every_format_is_registered() -> None:
    assert {"sarif", "github", "junit", "markdown"} <= set(REPORTERS)


# --- SARIF --------------------------------------------------------------------------------------------------------


def validate_sarif(document: Any) -> None:
    """Validate against the official schema, failing if validation tries to fetch anything."""
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the SARIF 2.1.0 schema is not at {SARIF_SCHEMA} (it lives beside the repository)")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    fetched: list[str] = []

    def retrieve(uri: str) -> referencing.Resource[Any]:
        fetched.append(uri)
        raise LookupError(f"no network: {uri}")

    validator = jsonschema.Draft4Validator(schema, registry=referencing.Registry(retrieve=retrieve))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    assert fetched == []


def test_sarif_with_findings_is_valid_and_complete(report: Report) -> None:
    report.baseline = Baseline("origin/main", "0123456789abcdef0123456789abcdef01234567", 3)
    text = sarif.render(report)
    document = json.loads(text)
    validate_sarif(document)

    assert document["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert document["version"] == "2.1.0"
    [run_] = document["runs"]
    assert run_["columnKind"] == "unicodeCodePoints"
    assert run_["originalUriBaseIds"] == {
        "%SRCROOT%": {"description": {"text": "The root of the repository that was checked."}}
    }
    assert run_["properties"] == {
        "checked": {
            "files": 5,
            "parties": 5,
            "duties": 2,
            "assignments": 1,
            "budgets": 0,
            "pools": 0,
            "rules": 1,
            "waivers": 1,
        },
        "baseline": {"revision": "origin/main", "commit": "0123456789abcdef0123456789abcdef01234567", "leftOut": 3},
    }
    driver = run_["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("raci-checker", "0.1.0")
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [*RULES, "security-embedded"]
    double = rules[list(RULES).index("double-ownership")]
    assert double["shortDescription"]["text"] == summary(RULES["double-ownership"])
    assert double["fullDescription"]["text"] == documentation(RULES["double-ownership"])
    assert double["fullDescription"]["text"].startswith(double["shortDescription"]["text"] + "\n")
    assert double["help"]["text"] == double["fullDescription"]["text"]
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in rules}
    assert (levels["double-ownership"], levels["redundant-role"], levels["idle-party"]) == ("error", "warning", "note")
    custom = rules[-1]
    assert custom["shortDescription"] == {"text": HOSTILE}
    assert custom["defaultConfiguration"] == {"level": "error"}
    assert custom["help"]["text"].startswith("security-embedded (custom require rule, severity: error, defined at")
    assert "Passing example::" in custom["help"]["text"]

    results = run_["results"]
    assert [(r["ruleId"], r["level"], r["message"]["text"]) for r in results] == [
        ("double-ownership", "error", DOUBLE),
        ("redundant-role", "warning", REDUNDANT),
        ("security-embedded", "error", CUSTOM),
        ("redundant-role", "warning", WAIVED),
    ]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    assert all(r["baselineState"] == "new" for r in results)
    assert [r["partialFingerprints"] for r in results] == [{"raci/v1": f.fingerprint} for f in report.findings]
    first = results[0]
    assert first["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "policies/assignments.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 5, "startColumn": 18},
            }
        }
    ]
    assert first["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "policies/duties.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 7, "startColumn": 25},
            },
            "message": {"text": "also here"},
        }
    ]
    assert first["properties"] == {"subject": "sec.incident-response"}
    assert [r for r in results if "suppressions" in r] == [results[3]]
    assert results[3]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "The CEO wants both",
            "properties": {"expires": "2027-03-31", "approvedBy": ["cio"]},
            "location": {
                "physicalLocation": {
                    "artifactLocation": {"uri": "policies/waivers.yaml", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 4, "startColumn": 11},
                }
            },
        }
    ]
    # Stable: the same report renders to the same text; one result per line.
    assert sarif.render(report) == text
    assert text.endswith("\n      ]\n    }\n  ]\n}\n")
    assert sum(line.startswith('{"ruleId": ') for line in text.splitlines()) == 4


def test_sarif_of_a_clean_run_is_valid_and_lists_what_was_checked(clean: Report) -> None:
    text = sarif.render(clean)
    document = json.loads(text)
    validate_sarif(document)
    [run_] = document["runs"]
    assert run_["results"] == []
    assert '"results": []' in text
    assert [r["id"] for r in run_["tool"]["driver"]["rules"]] == list(RULES)
    assert "baselineState" not in text
    assert run_["properties"] == {
        "checked": {
            "files": 2,
            "parties": 5,
            "duties": 1,
            "assignments": 0,
            "budgets": 0,
            "pools": 0,
            "rules": 0,
            "waivers": 0,
        }
    }


def test_sarif_uris_are_percent_encoded_and_text_keeps_non_ascii() -> None:
    places = [
        Location("policies/my dir/Zürich #1.yaml", 2, 3),
        Location("../outside/100%.yaml", 1, 1),
        Location("/abs/a b.yaml", 1, 1),
        Location("C:/policies/x.yaml", 1, 1),
    ]
    report = Report([finding("Zürich’s budget", at=place, subject=str(i)) for i, place in enumerate(places)], 4)
    text = sarif.render(report)
    assert "Zürich’s budget" in text  # kept as it is, not \u-escaped
    document = json.loads(text)
    validate_sarif(document)
    artifacts = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in document["runs"][0]["results"]]
    assert artifacts == [
        {"uri": "policies/my%20dir/Z%C3%BCrich%20%231.yaml", "uriBaseId": "%SRCROOT%"},
        {"uri": "../outside/100%25.yaml", "uriBaseId": "%SRCROOT%"},
        {"uri": "file:///abs/a%20b.yaml"},
        {"uri": "file:///C:/policies/x.yaml"},
    ]


def test_sarif_rules_a_finding_names_that_no_rule_has_and_custom_rules_that_are_off() -> None:
    report = Report([finding(rule="made-up"), finding(rule="schema", severity=Severity.INFO, subject="t")], 1)
    report.model.rules["quiet"] = CustomRule("quiet", "require", "Quiet for now", "off", Location("r.yaml", 4, 5))
    document = json.loads(sarif.render(report))
    validate_sarif(document)
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert rules[-2] == {
        "id": "quiet",
        "shortDescription": {"text": "Quiet for now"},
        "fullDescription": {"text": "Quiet for now"},
        "help": {"text": "Quiet for now"},
        "defaultConfiguration": {"enabled": False},
        "properties": {"tags": ["raci", "custom", "require"]},
    }
    assert rules[-1] == {"id": "made-up", "shortDescription": {"text": "made-up"}}
    results = document["runs"][0]["results"]
    assert [(r["ruleIndex"], r["level"]) for r in results] == [
        (len(rules) - 1, "error"),
        (list(RULES).index("schema"), "note"),
    ]


def test_sarif_escapes_hostile_messages_as_json(report: Report) -> None:
    text = sarif.render(report)
    assert "\x1b" not in text
    assert "\r" not in text
    assert "\\u001b[31m" in text
    messages = [r["message"]["text"] for r in json.loads(text)["runs"][0]["results"]]
    assert messages[2] == CUSTOM  # exactly what the file said, once decoded


# --- GitHub workflow commands -------------------------------------------------------------------------------------

GITHUB_EXPECTED = """\
::error file=policies/assignments.yaml,line=5,col=18,title=double-ownership::sec.incident-response has 2 accountable \
parties: cio (policies/assignments.yaml:5:18), ciso (policies/duties.yaml:7:25); exactly one party must be accountable \
(also at policies/duties.yaml:7:25)
::warning file=policies/duties.yaml,line=7,col=92,title=redundant-role::'it-ops' is consulted and informed on \
sec.incident-response; keep one letter (only accountable and responsible combine) (also at policies/duties.yaml:7:72)
::error file=policies/duties.yaml,line=8,col=9,title=security-embedded::Security | <b>x</b> & `t` \\ [l](http://e.vil) \
100%25%0A::set-env name=X::y%0D%0A::add-mask::z \\x1b[31m: ciso is not consulted on it.patching \
(also at policies/rules.yaml:4:9)
raci check: 2 errors, 1 warning, 1 suppressed in 5 files
"""


def test_github_one_command_per_unsuppressed_finding_then_a_summary(report: Report) -> None:
    assert github.render(report) == GITHUB_EXPECTED


def test_github_hostile_messages_cannot_forge_a_command(report: Report) -> None:
    lines = github.render(report).splitlines()
    # Only our own lines: a command for each finding that counts, then the summary.
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::warning", "::error", "raci"]
    assert not any("::set-env" in line.split("::", 2)[1] or line.startswith("::add-mask") for line in lines[:-1])
    # Splitting as the runner does (on CR and LF) still gives exactly those lines.
    assert re.split(r"\r\n|\r|\n", github.render(report).rstrip("\n")) == lines


def test_github_escapes_properties_data_and_unprintable_characters() -> None:
    report = Report(
        [
            finding(
                "50% done\r\n::add-mask::secret\u2028::set-env name=A::b",
                rule="split-total",
                at=Location("policies/a,b:c%.yaml", 2, 7),
            ),
            finding("just info", rule="idle-party", severity=Severity.INFO, at=Location("policies/p.yaml", 4, 1)),
            finding("waived", rule="no-responsible", waiver=Location("policies/w.yaml", 3, 3)),
        ],
        2,
    )
    assert github.render(report) == (
        "::error file=policies/a%2Cb%3Ac%25.yaml,line=2,col=7,title=split-total::"
        "50%25 done%0D%0A::add-mask::secret\\u2028::set-env name=A::b\n"
        "::notice file=policies/p.yaml,line=4,col=1,title=idle-party::just info\n"
        "raci check: 1 error, 1 info, 1 suppressed in 2 files\n"
    )
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert github.escape_data("a:b,c%\n") == "a:b,c%25%0A"


def test_github_summary_of_a_clean_run_and_of_a_baseline(clean: Report) -> None:
    assert github.render(clean) == "raci check: no problems found in 2 files\n"
    clean.baseline = Baseline("main\n::add-mask::x", "0123456789abcdef0123", 1)
    assert github.render(clean) == (
        "raci check: no problems found in 2 files; 1 finding already present at main%0A::add-mask::x "
        "(0123456789ab) was left out\n"
    )
    clean.baseline = Baseline("origin/main", "fedcba9876543210", 4)
    assert github.render(clean).endswith("; 4 findings already present at origin/main (fedcba987654) were left out\n")


# --- JUnit XML ----------------------------------------------------------------------------------------------------


def parse_junit(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    [suite] = root
    assert suite.tag == "testsuite"
    assert suite.get("name") == "raci-checker"
    return suite


def cases(suite: ET.Element) -> dict[tuple[str, str], ET.Element]:
    found = {(case.get("classname", ""), case.get("name", "")): case for case in suite.iter("testcase")}
    assert len(found) == len(suite.findall("testcase"))  # one case per (rule, subject)
    return found


def test_junit_one_case_per_rule_and_subject_with_failures_output_and_skips(report: Report) -> None:
    suite = parse_junit(junit.render(report, fail_on=Severity.ERROR))
    by_key = cases(suite)
    passing_rules = [rule for rule in RULES if rule not in ("double-ownership", "redundant-role")]
    assert set(by_key) == {
        ("double-ownership", "sec.incident-response"),
        ("redundant-role", "sec.incident-response"),
        ("redundant-role", "it.patching"),
        ("security-embedded", "it.patching"),
        *((rule, "(no findings)") for rule in passing_rules),
    }
    n = 4 + len(passing_rules)
    assert dict(suite.attrib) == {
        "name": "raci-checker",
        "tests": str(n),
        "failures": "2",
        "errors": "0",
        "skipped": "1",
    }

    failure = by_key[("double-ownership", "sec.incident-response")].find("failure")
    assert failure is not None
    assert failure.attrib == {"message": DOUBLE, "type": "error"}
    assert failure.text == f"policies/assignments.yaml:5:18: error {DOUBLE}\n    also at policies/duties.yaml:7:25"

    below = by_key[("redundant-role", "sec.incident-response")]
    assert below.find("failure") is None
    assert below.find("skipped") is None
    assert (
        below.findtext("system-out")
        == f"policies/duties.yaml:7:92: warning {REDUNDANT}\n    also at policies/duties.yaml:7:72"
    )

    skipped = by_key[("redundant-role", "it.patching")].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "waived at policies/waivers.yaml:4:11"
    assert skipped.text == (
        f"policies/duties.yaml:11:82: warning (waived at policies/waivers.yaml:4:11) {WAIVED}\n"
        "    also at policies/duties.yaml:11:65"
    )
    assert list(by_key[("yaml-syntax", "(no findings)")]) == []

    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties == {
        "fail_on": "error", "files": "5", "parties": "5", "duties": "2", "assignments": "1",
        "budgets": "0", "pools": "0", "rules": "1", "waivers": "1",
    }  # fmt: skip


def test_junit_fail_on_decides_what_fails(report: Report) -> None:
    at_warning = cases(parse_junit(junit.render(report, fail_on=Severity.WARNING)))
    assert at_warning[("redundant-role", "sec.incident-response")].find("failure") is not None
    assert at_warning[("redundant-role", "it.patching")].find("skipped") is not None  # waived stays skipped
    report.baseline = Baseline("main", "abc", 2)
    suite = parse_junit(render("junit", report, fail_on=Severity.WARNING))
    assert suite.get("failures") == "3"
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert (properties["baseline.revision"], properties["baseline.left_out"]) == ("main", "2")


def test_junit_a_case_with_findings_below_and_at_the_level_fails_with_every_finding() -> None:
    report = Report(
        [
            finding("first warning", rule="redundant-role", severity=Severity.WARNING, at=Location("a.yaml", 1, 1)),
            finding("the error", rule="redundant-role", at=Location("a.yaml", 2, 1)),
            finding("waived one", rule="redundant-role", at=Location("a.yaml", 3, 1), waiver=Location("w.yaml", 1, 1)),
        ],
        1,
    )
    failure = cases(parse_junit(junit.render(report)))[("redundant-role", "s")].find("failure")
    assert failure is not None
    assert failure.attrib == {"message": "the error", "type": "error"}
    assert failure.text == (
        "a.yaml:1:1: warning first warning\na.yaml:2:1: error the error\n"
        "a.yaml:3:1: error (waived at w.yaml:1:1) waived one"
    )


def test_junit_of_a_clean_run_shows_every_rule_passing(clean: Report) -> None:
    suite = parse_junit(junit.render(clean))
    assert set(cases(suite)) == {(rule, "(no findings)") for rule in RULES}
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == (str(len(RULES)), "0", "0")


def test_junit_always_parses_whatever_a_message_holds() -> None:
    nasty = 'a <b> & "c" ]]> \x1b[31m \x00 \x0b \ud800 \ufffe \x85 tab\there \U0001f600 ü'
    report = Report([finding(nasty, subject="<s>&\x07", at=Location("p/x&y.yaml", 1, 2))], 1)
    text = junit.render(report)
    text.encode("utf-8")  # no lone surrogate left to break the output
    case = cases(parse_junit(text))[("double-ownership", "<s>&\\x07")]
    failure = case.find("failure")
    assert failure is not None
    shown = 'a <b> & "c" ]]> \\x1b[31m \\x00 \\x0b \\ud800 \\ufffe \\x85 tab\there \U0001f600 ü'
    assert failure.get("message") == shown
    assert failure.text == f"p/x&y.yaml:1:2: error {shown}"


def test_junit_keeps_hostile_markup_as_text(report: Report) -> None:
    failure = cases(parse_junit(junit.render(report)))[("security-embedded", "it.patching")].find("failure")
    assert failure is not None
    # Everything comes back as written but the CR and the ESC, which a log viewer obeys: shown as \r and \x1b.
    expected = CUSTOM.replace("\r", "\\r").replace("\x1b", "\\x1b")
    assert failure.get("message", "") == expected
    assert failure.text == f"policies/duties.yaml:8:9: error {expected}\n    also at policies/rules.yaml:4:9"


# --- Markdown -----------------------------------------------------------------------------------------------------

MARKDOWN_EXPECTED = """\
### raci check: 2 errors, 1 warning, 1 suppressed

2 findings already present at origin/main were left out.

| severity | rule | where | message |
|---|---|---|---|
| error | double-ownership | policies/assignments.yaml:5 | sec.incident-response has 2 accountable parties: \
cio (policies/assignments.yaml:5:18), ciso (policies/duties.yaml:7:25); exactly one party must be accountable\
<br>also at policies/duties.yaml:7:25 |
| warning | redundant-role | policies/duties.yaml:7 | 'it-ops' is consulted and informed on sec.incident-response; \
keep one letter (only accountable and responsible combine)<br>also at policies/duties.yaml:7:72 |
| error | security-embedded | policies/duties.yaml:8 | Security \\| &lt;b&gt;x&lt;/b&gt; &amp; \\`t\\` \\\\ \
\\[l\\](http:\u200b//e.vil) 100%<br>::set-env name=X::y<br>::add-mask::z \\\\x1b\\[31m: \
ciso is not consulted on it.patching<br>also at policies/rules.yaml:4:9 |

<details>
<summary>1 suppressed finding (waived)</summary>

| severity | rule | where | message | waived at |
|---|---|---|---|---|
| warning | redundant-role | policies/duties.yaml:11 | 'ceo' is consulted and informed on it.patching; \
keep one letter (only accountable and responsible combine)<br>also at policies/duties.yaml:11:65 | \
policies/waivers.yaml:4:11 |

</details>

Checked 5 files: 5 parties, 2 duties, 1 assignment, 1 rule, 1 waiver.
"""


def test_markdown_comment(report: Report) -> None:
    report.baseline = Baseline("origin/main", "0123456789abcdef", 2)
    assert markdown.render(report) == MARKDOWN_EXPECTED


def test_markdown_of_a_clean_run(clean: Report) -> None:
    assert markdown.render(clean) == "### raci check: no problems found\n\nChecked 2 files: 5 parties, 1 duty.\n"
    clean.baseline = Baseline("v1 | <i>", "0123", 1)
    assert markdown.render(clean) == (
        "### raci check: no problems found\n\n"
        "1 finding already present at v1 \\| &lt;i&gt; was left out.\n\n"
        "Checked 2 files: 5 parties, 1 duty.\n"
    )


def test_markdown_cells_cannot_break_the_table_or_inject_html() -> None:
    assert markdown_cell("a|b") == "a\\|b"
    assert markdown_cell("</td><script>x</script>") == "&lt;/td&gt;&lt;script&gt;x&lt;/script&gt;"
    assert markdown_cell("&amp; `code` \\| *em* _u_ ~s~ [t](u)") == (
        "&amp;amp; \\`code\\` \\\\\\| \\*em\\* \\_u\\_ \\~s\\~ \\[t\\](u)"
    )
    assert markdown_cell("one\ntwo\r\nthree\rfour") == "one<br>two<br>three<br>four"
    assert markdown_cell("esc \x1b[2J sep \u2028 tab\t") == "esc \\\\x1b\\[2J sep \\\\u2028 tab\\\\t"
    report = Report([finding("x | y\n| injected | row |", at=Location("p/a|b.yaml", 9, 1))], 1)
    rows = [line for line in markdown.render(report).splitlines() if line.startswith("| error")]
    assert rows == ["| error | double-ownership | p/a\\|b.yaml:9 | x \\| y<br>\\| injected \\| row \\| |"]
    # Unescaped pipes in a row: exactly the five that delimit its four cells.
    assert len(re.findall(r"(?<!\\)\|", rows[0])) == 5


def test_markdown_cuts_a_long_list() -> None:
    many = [finding(f"problem {i}", subject=f"s{i}", at=Location("a.yaml", i + 1, 1)) for i in range(203)]
    waived = [
        finding("w", subject=f"w{i}", at=Location("b.yaml", i + 1, 1), waiver=Location("w.yaml", 1, 1))
        for i in range(2)
    ]
    text = markdown.render(Report(many + waived, 2))
    lines = text.splitlines()
    assert lines[0] == "### raci check: 203 errors, 2 suppressed"
    rows = [line for line in lines if line.startswith("| error | double-ownership | a.yaml:")]
    assert len(rows) == markdown.MAX_ROWS
    assert rows[-1].startswith("| error | double-ownership | a.yaml:200 | problem 199 |")
    assert "… and 3 more findings, not shown here: `raci check` lists all." in lines
    assert "<summary>2 suppressed findings (waived)</summary>" in lines
    assert len([line for line in lines if line.startswith("| error | double-ownership | b.yaml:")]) == 2
    exactly = markdown.render(Report(many[:200], 1))
    assert "more finding" not in exactly


def test_markdown_stays_within_a_comment_limit() -> None:
    long = [finding("x" * 5000, subject=f"s{i}", at=Location("a.yaml", i + 1, 1)) for i in range(50)]
    text = markdown.render(Report(long, 1))
    assert len(text) < 65_536
    shown = len([line for line in text.splitlines() if line.startswith("| error")])
    assert 0 < shown < 50
    assert f"… and {50 - shown} more findings, not shown here: `raci check` lists all." in text


# --- Through the command line -------------------------------------------------------------------------------------


@pytest.fixture
def policy_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    write_tree(tmp_path, {f"policies/{name}": text for name, text in POLICY.items()})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--today", "2027-01-01", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_cli_sarif(policy_dir: Path) -> None:
    status, output = invoke("--format", "sarif")
    assert status == 1
    document = json.loads(output)
    validate_sarif(document)
    assert [r["ruleId"] for r in document["runs"][0]["results"]] == [
        "double-ownership", "redundant-role", "security-embedded", "redundant-role",
    ]  # fmt: skip


def test_cli_github(policy_dir: Path) -> None:
    assert invoke("--format", "github") == (1, GITHUB_EXPECTED)


def test_cli_junit_passes_the_fail_level(policy_dir: Path) -> None:
    status, output = invoke("--format", "junit", "--fail-on", "warning")
    assert status == 1
    assert parse_junit(output).get("failures") == "3"


def test_cli_markdown(policy_dir: Path) -> None:
    status, output = invoke("--format", "markdown")
    assert status == 1
    assert output == MARKDOWN_EXPECTED.replace("2 findings already present at origin/main were left out.\n\n", "")


def test_cli_clean_run_exits_0_in_every_ci_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    write_tree(tmp_path, {f"policies/{name}": text for name, text in CLEAN.items()})
    monkeypatch.chdir(tmp_path)
    assert invoke("--format", "github") == (0, "raci check: no problems found in 2 files\n")
    assert invoke("--format", "markdown")[0] == 0
    status, output = invoke("--format", "junit")
    assert (status, parse_junit(output).get("failures")) == (0, "0")
    status, output = invoke("--format", "sarif")
    assert (status, json.loads(output)["runs"][0]["results"]) == (0, [])
