from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CheckFiles, of_rule, positions

RULE = "yaml-syntax"
FILE = "policies/duties/security.yaml"

HEADER = "apiVersion: raci/v1\nkind: Duties\nduties:\n"


def test_fires_on_a_syntax_error_and_the_other_files_are_still_checked(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.forensics
                    title: Preserve: evidence after an incident
                    raci: {accountable: ciso, responsible: [security-ops]}
                """,
            "duties/it.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: it.asset-inventory
                    title: Keep the asset inventory
                    raci: {accountable: cio, responsible: [it-opps]}
                """,
            "assignments/it.yaml": """\
                apiVersion: raci/v1
                kind: Assignments
                assignments:
                  - duty: sec.forensics
                    consulted: [cio]
                """,
        }
    )
    assert positions(report, RULE) == [(FILE, 5, 20)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == FILE
    assert "mapping values are not allowed" in finding.message
    assert finding.severity.value == "error"
    # the broken file contributes nothing: its duty is not defined ...
    assert [f.subject for f in of_rule(report, "unknown-duty")] == ["sec.forensics"]
    # ... and the other files are still checked
    assert positions(report, "unknown-party") == [("policies/duties/it.yaml", 6, 44)]


def test_fires_on_an_alias(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                    raci: &owners {accountable: ciso, responsible: [security-ops]}
                  - id: sec.forensics
                    title: Preserve evidence after an incident
                    raci: *owners
                """,
        }
    )
    assert positions(report, RULE) == [(FILE, 9, 11)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == FILE
    assert "alias *owners is not allowed" in finding.message
    assert report.counts["duties"] == 0


def test_quiet_on_an_anchor_that_is_never_used(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                    raci: &owners {accountable: ciso, responsible: [security-ops]}
                """,
        }
    )
    assert of_rule(report, RULE) == []
    assert report.counts["duties"] == 1


def test_fires_on_a_merge_key(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                    raci:
                      <<: {accountable: ciso}
                      responsible: [security-ops]
                """,
        }
    )
    assert positions(report, RULE) == [(FILE, 7, 7)]
    (finding,) = of_rule(report, RULE)
    assert "merge key << is not allowed" in finding.message


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/object:__main__.Owner {name: ciso}", "!!python/object:__main__.Owner"),
        ("!!binary Y2lzbw==", "!!binary"),
        ("!!set {ciso, cio}", "!!set"),
    ],
)
def test_fires_on_an_unsafe_tag(check_files: CheckFiles, value: str, tag: str) -> None:
    report = check_files({"duties/security.yaml": HEADER + f"  - id: sec.x\n    title: {value}\n"})
    assert positions(report, RULE) == [(FILE, 5, 12)]
    (finding,) = of_rule(report, RULE)
    assert f"tag '{tag}' is not allowed" in finding.message


def test_fires_on_a_non_string_key(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: Lead the response to security incidents
                    1: x
                """,
        }
    )
    assert positions(report, RULE) == [(FILE, 6, 5)]
    (finding,) = of_rule(report, RULE)
    assert "a mapping key must be a string, not the number 1" in finding.message


def test_fires_on_a_tab_indented_line(check_files: CheckFiles) -> None:
    report = check_files({"duties/security.yaml": HEADER + "\t- id: sec.x\n\t  title: Tabs\n"})
    assert positions(report, RULE) == [(FILE, 4, 1)]
    (finding,) = of_rule(report, RULE)
    assert "tab" in finding.message


def test_fires_on_bytes_that_are_not_utf8_at_a_code_point_column(check_files: CheckFiles, tmp_path: Path) -> None:
    bad = tmp_path / "policies" / "duties" / "security.yaml"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(HEADER.encode() + "  - id: sec.x\n    title: Café ☕ ".encode() + b"\xff\n")
    report = check_files({"duties/it.yaml": HEADER + "  - {id: it.x, title: X, raci: {accountable: cisco}}\n"})
    assert positions(report, RULE) == [(FILE, 5, 19)]
    (finding,) = of_rule(report, RULE)
    assert finding.subject == FILE
    assert "not valid UTF-8" in finding.message
    assert "0xff" in finding.message
    # the other file is still checked
    assert positions(report, "unknown-party") == [("policies/duties/it.yaml", 4, 46)]


def test_quiet_on_a_byte_order_mark(check_files: CheckFiles, tmp_path: Path) -> None:
    bom = tmp_path / "policies" / "duties" / "security.yaml"
    bom.parent.mkdir(parents=True)
    bom.write_bytes(b"\xef\xbb\xbf" + HEADER.encode() + b"  - {id: sec.x, title: X}\n")
    report = check_files({})
    assert of_rule(report, RULE) == []
    assert report.counts["duties"] == 1


def test_a_problem_in_a_later_document_drops_the_whole_file(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - {id: sec.x, title: X, raci: {accountable: ciso, responsible: [security-ops]}}
                ---
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - {id: sec.y, title: Y, raci: {accountable: ciso, responsible: *ops}}
                """,
        }
    )
    assert positions(report, RULE) == [(FILE, 9, 66)]
    assert report.counts["duties"] == 0


def test_fires_on_nesting_deeper_than_the_default_limit(check_files: CheckFiles) -> None:
    # root mapping, `duties` list, item mapping, then lists: the 62nd `[` (column 24 + 61) is level 65
    deep = "[" * 62 + "]" * 62
    report = check_files({"duties/security.yaml": HEADER + f"  - {{id: sec.x, title: {deep}}}\n"})
    assert positions(report, RULE) == [(FILE, 4, 24 + 61)]
    (finding,) = of_rule(report, RULE)
    assert "nesting deeper than 64 levels" in finding.message


def test_quiet_on_a_valid_file(check_files: CheckFiles) -> None:
    report = check_files(
        {
            "duties/security.yaml": """\
                # yaml-language-server: $schema=../schemas/duties.schema.json
                apiVersion: raci/v1
                kind: Duties
                duties:
                  - id: sec.incident-response
                    title: "Lead the response: contain, eradicate, recover"
                    raci: {accountable: ciso, responsible: [security-ops]}
                """,
        }
    )
    assert of_rule(report, RULE) == []


def test_a_decoding_error_counts_cr_only_line_breaks_like_yaml_does(check_files: CheckFiles, tmp_path: Path) -> None:
    bad = tmp_path / "policies" / "duties" / "security.yaml"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"a: 1\rb: \xff\r")
    report = check_files({})
    assert positions(report, RULE) == [(FILE, 2, 4)]


def test_an_alias_after_cr_only_line_breaks_is_placed_on_its_yaml_line(check_files: CheckFiles, tmp_path: Path) -> None:
    bad = tmp_path / "policies" / "duties" / "security.yaml"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"a: &x 1\rb: *x\r")
    report = check_files({})
    assert positions(report, RULE) == [(FILE, 2, 4)]
