"""`check()`: the policy set in, findings out. The library entry point.

Files are read one at a time, each document validated and merged into the
model, then dropped, so memory follows the model rather than the YAML. The
rules then run on the merged model; configured severities are applied here,
never inside a rule.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config, ConfigError, repository_root
from .discover import PathError, discover, display_name, read_source
from .finding import Finding, Severity
from .hints import did_you_mean
from .model import PolicySet
from .registry import RULES
from .validate import check_document


class NoPolicyFiles(Exception):
    """Nothing to check: a usage problem (exit 2), not a clean result."""


@dataclass(slots=True)
class Report:
    """The outcome of a check: every finding, and what was checked."""

    findings: list[Finding]
    files: int
    model: PolicySet = field(default_factory=PolicySet)  # what views such as `raci budgets` show

    @property
    def counts(self) -> dict[str, int]:
        return self.model.counts()

    def summary(self) -> dict[str, int]:
        """Counts per severity of the findings that count, and of those suppressed."""
        totals = {"error": 0, "warning": 0, "info": 0, "suppressed": 0}
        for finding in self.findings:
            totals["suppressed" if finding.suppressed else finding.severity.value] += 1
        return totals

    def failed(self, fail_on: Severity) -> bool:
        return any(not f.suppressed and f.severity.rank >= fail_on.rank for f in self.findings)


def check(paths: Sequence[Path] = (), *, config: Config) -> Report:
    """Check the policy set: `paths` if given, else the configured policy folders.

    Raises `PathError` for a path that does not exist, `NoPolicyFiles` when no
    policy file is found, and `ConfigError` when the configuration names an
    unknown rule.
    """
    # The model is acyclic and built all at once: the cyclic collector would only
    # rescan it again and again (about a third of the run time on 10,000 duties).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check(paths, config)
    finally:
        if collecting:
            gc.enable()


def _check(paths: Sequence[Path], config: Config) -> Report:
    folders = list(paths) or list(config.policies)
    if not paths:
        missing = [p for p in folders if not p.exists()]
        if missing and config.file is not None:
            # A configured folder that is not there is a typo, not an empty set.
            raise ConfigError(f"{config.file.name}: policies: {_shown(missing)} does not exist")
        if missing:
            raise NoPolicyFiles(f"no policy files found under {_shown(folders)}")
    root = repository_root(folders[0].resolve()) or Path.cwd()
    sources, refused = discover(folders, root)
    if not sources and not refused:
        raise NoPolicyFiles(f"no policy files found under {_shown(folders)}")
    findings = list(refused)
    model = PolicySet()
    for source in sources:
        loaded = read_source(source, config.limits)
        findings.extend(loaded.findings)
        for document in loaded.documents:
            checked = check_document(document)
            findings.extend(checked.findings)
            if checked.kind is not None:
                model.add(document, checked.kind, checked.dropped)
        model.files.append(source.name)
    _check_rule_names(config, model)
    for rule in RULES.values():
        findings.extend(rule.check(model))
    findings = _apply_severities(findings, config)
    findings.sort(key=Finding.sort_key)
    return Report(findings, len(sources) + len(refused), model)


def _apply_severities(findings: list[Finding], config: Config) -> list[Finding]:
    if not config.severities:
        return findings
    out = []
    for finding in findings:
        level = config.severities.get(finding.rule)
        if level is None:
            out.append(finding)
        elif level is not Severity.OFF:
            out.append(dataclasses.replace(finding, severity=level))
    return out


def _check_rule_names(config: Config, model: PolicySet) -> None:
    known = set(RULES) | set(model.rules)
    for name in config.severities:
        if name not in known:
            where = config.file.name if config.file else "configuration"
            raise ConfigError(f"{where}: rules: unknown rule {name!r}{did_you_mean(name, known)}")


def _shown(folders: Sequence[Path]) -> str:
    return ", ".join(display_name(p, Path.cwd()) for p in folders)


__all__ = ["ConfigError", "NoPolicyFiles", "PathError", "Report", "check"]
