"""`--format junit`: JUnit XML, the test report GitLab, Jenkins and most CI servers show.

A finding maps to a test as a CI server expects: one testcase per (rule,
subject), classname the rule and name the subject, failing when one of its
findings is at or above the fail level; findings below it are listed in the
`<system-out>` of a passing case, and a case whose findings are all waived is
skipped. Every rule with no finding is one passing "(no findings)" case, so a
clean run still shows what was checked. ElementTree escapes markup; characters
XML 1.0 cannot hold at all (most control characters, lone surrogates), and
those a log viewer would obey (CR, C1 and bidi controls, line separators), are
replaced by backslash escapes first, so the output always parses and shows
what the file holds.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..finding import Finding, Severity
from .escape import xml_text

if TYPE_CHECKING:
    from ..engine import Report

SUITE = "raci-checker"
NO_FINDINGS = "(no findings)"


def render(report: Report, *, color: bool = False, fail_on: Severity = Severity.ERROR) -> str:
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in report.findings:
        groups.setdefault((finding.rule, finding.subject), []).append(finding)
    found = {rule for rule, _ in groups}
    for rule in _rule_names(report):
        if rule not in found:
            groups[(rule, NO_FINDINGS)] = []
    cases = [_case(rule, subject, groups[(rule, subject)], fail_on) for rule, subject in sorted(groups)]

    failures = sum(case.find("failure") is not None for case in cases)
    skipped = sum(case.find("skipped") is not None for case in cases)
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": "0", "skipped": str(skipped)}
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE, **counts})
    properties = ET.SubElement(suite, "properties")
    for name, value in _properties(report, fail_on):
        ET.SubElement(properties, "property", {"name": name, "value": xml_text(value)})
    suite.extend(cases)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _rule_names(report: Report) -> list[str]:
    from ..registry import RULES

    return [*RULES, *(rule.id for rule in report.model.rules.values() if rule.severity != "off")]


def _case(rule: str, subject: str, findings: Sequence[Finding], fail_on: Severity) -> ET.Element:
    case = ET.Element("testcase", {"classname": xml_text(rule), "name": xml_text(subject)})
    active = [f for f in findings if not f.suppressed]
    failing = [f for f in active if f.severity.rank >= fail_on.rank]
    body = "\n".join(_line(f) for f in findings)
    if failing:
        first = failing[0]
        attributes = {"message": xml_text(first.message), "type": first.severity.value}
        ET.SubElement(case, "failure", attributes).text = xml_text(body)
    elif active:
        ET.SubElement(case, "system-out").text = xml_text(body)
    elif findings:  # every one of them waived
        places = sorted({str(f.waiver) for f in findings if f.waiver is not None})
        message = f"waived at {', '.join(places)}" if places else "waived"
        ET.SubElement(case, "skipped", {"message": xml_text(message)}).text = xml_text(body)
    return case


def _line(finding: Finding) -> str:
    level = f"{finding.severity.value} (waived at {finding.waiver})" if finding.suppressed else finding.severity.value
    lines = [f"{finding.location}: {level} {finding.message}"]
    lines.extend(f"    also at {place}" for place in finding.related)
    return "\n".join(lines)


def _properties(report: Report, fail_on: Severity) -> list[tuple[str, str]]:
    properties = [("fail_on", fail_on.value), ("files", str(report.files))]
    properties += [(name, str(n)) for name, n in report.counts.items()]
    if report.baseline is not None:
        base = report.baseline
        properties += [
            ("baseline.revision", base.revision),
            ("baseline.commit", base.commit),
            ("baseline.left_out", str(base.left_out)),
        ]
    return properties
