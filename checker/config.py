"""The `.raci.yaml` configuration: which folders, which rules, which severities.

Looked up from the current directory upwards to the repository root;
`--config FILE` overrides the lookup. The file is read with the policy loader
(the same YAML rules, bounds and duplicate-key check) and validated against the
packaged `config` schema. Any problem is a `ConfigError`, which the command line
turns into one line and exit status 2: a run with a configuration nobody meant
must not pass quietly.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UserError
from .finding import Location, Severity
from .loader import LATER_VALUE_USED, MIB, Document, Limits, load_bytes
from .paths import repository_root, shown_path

CONFIG_NAME = ".raci.yaml"
DEFAULT_POLICIES = ("policies",)


class ConfigError(UserError):
    """The configuration cannot be used; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class Config:
    """Settings for one run, with paths made absolute."""

    policies: tuple[Path, ...]
    file: Path | None = None
    # where each rule name is written in the file, for errors about it
    rule_locations: Mapping[str, Location] = field(default_factory=dict)
    severities: Mapping[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.ERROR
    waiver_max_days: int = 366
    limits: Limits = field(default_factory=Limits)

    def severity(self, rule: str, default: Severity) -> Severity:
        return self.severities.get(rule, default)


def find_config(cwd: Path) -> Path | None:
    """`.raci.yaml` in `cwd` or above it up to the repository root; outside a
    repository, only in `cwd` (a stray file in a home or temporary folder must
    not take over runs below it)."""
    top = repository_root(cwd) or cwd
    for folder in (cwd, *cwd.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if os.path.lexists(candidate):
            # A folder, a FIFO or a dangling link under this name: someone meant a
            # configuration here, and running on defaults instead would pass quietly.
            raise ConfigError(f"{shown_path(candidate)}: not a regular file")
        if folder == top:
            break
    return None


def load_config(path: Path | None = None, *, cwd: Path | None = None) -> Config:
    """The configuration for a run from `cwd`: from `path`, or found by lookup, or defaults."""
    cwd = (cwd or Path.cwd()).resolve()
    if path is None:
        path = find_config(cwd)
    if path is None:
        return Config(policies=tuple(cwd / p for p in DEFAULT_POLICIES))
    path = (cwd / path).resolve() if not path.is_absolute() else path
    data, document = _read_mapping(path)
    base = path.parent
    rules = data.get("rules", {})
    limits = data.get("limits", {})
    return Config(
        policies=tuple((base / p).resolve() for p in data.get("policies", DEFAULT_POLICIES)),
        file=path,
        severities={name: Severity(level) for name, level in rules.items()},
        rule_locations={name: document.key_location(rules, name) for name in rules} if document else {},
        fail_on=Severity(data.get("fail_on", "error")),
        waiver_max_days=data.get("waivers", {}).get("max_days", 366),
        limits=Limits(
            max_file_bytes=int(limits.get("max_file_mb", 32) * MIB),
            max_depth=limits.get("max_depth", 64),
        ),
    )


def _read_mapping(path: Path) -> tuple[dict[str, Any], Document | None]:
    shown = shown_path(path)
    try:
        # Non-blocking, and checked before reading: `--config` naming a FIFO or a
        # device must be refused, not wait for a writer or read without end.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise ConfigError(f"{shown}: not a regular file")
            if info.st_size > MIB:
                raise ConfigError(f"{shown}: the configuration is larger than 1 MiB")
            data = handle.read(MIB + 1)
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read the configuration: {exc.strerror or exc}") from None
    return parse_config(data, shown)


def parse_config(data: bytes, shown: str) -> tuple[dict[str, Any], Document | None]:
    """A configuration file's settings, checked against the config schema; ConfigError if unusable."""
    from .validate import check_value

    loaded = load_bytes(data, shown, Limits(max_file_bytes=MIB))
    if loaded.findings:
        first = loaded.findings[0]
        # A repeated key refuses the configuration: its "later value is used" does not apply.
        raise ConfigError(f"{first.location}: {first.message.removesuffix(LATER_VALUE_USED)}")
    documents = [d for d in loaded.documents if d.value is not None]
    if len(documents) > 1:
        raise ConfigError(f"{shown}: the configuration must be a single YAML document")
    if not documents:
        return {}, None
    document = documents[0]
    problems = check_value(document, "config")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        first = problems[0]
        raise ConfigError(f"{first.location}: invalid configuration: {first.message}{more}")
    value: dict[str, Any] = document.value
    return value, document
