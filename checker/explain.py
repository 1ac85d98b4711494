"""Documentation for the policy set's own rules, written from their definition.

Built-in rules are documented by their docstrings; a custom rule gets the same
shape (what it checks, a failing and a passing example) generated from its
selectors, so `raci explain` treats both alike.
"""

from __future__ import annotations

from .custom import letters_text
from .model import LETTERS, CustomRule, Selector


def _selector(selector: Selector | None) -> str:
    if selector is None:
        return "{}"
    parts = []
    if selector.domains:
        parts.append(f"domain: [{', '.join(sorted(selector.domains))}]")
    if selector.tags:
        parts.append(f"tags: [{', '.join(sorted(selector.tags))}]")
    if selector.ids:
        parts.append(f"ids: [{', '.join(repr(i) for i in selector.ids)}]")
    return "{" + ", ".join(parts) + "}"


def _duty(selector: Selector | None, name: str, raci: str) -> list[str]:
    """YAML lines of an example duty that `selector` chooses, with the given RACI."""
    duty_id = f"example.{name}"
    if selector is not None and selector.ids:
        duty_id = _instance(selector.ids[0], name)
    lines = [f"      - id: {duty_id}", f"        title: An example ({name})"]
    if selector is not None and selector.domains:
        lines.append(f"        domain: {sorted(selector.domains)[0]}")
    if selector is not None and selector.tags:
        lines.append(f"        tags: [{sorted(selector.tags)[0]}]")
    return [*lines, f"        raci: {{{raci}}}"]


def _instance(pattern: str, name: str) -> str:
    """An id the shell-style glob `pattern` matches: `*` becomes `name`, `?` a letter,
    `[...]` a character of the class (or, for `[!...]`, one outside it)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        end = pattern.find("]", i + 2) if c == "[" else -1
        if c == "*":
            out.append(name)
        elif c == "?":
            out.append("x")
        elif end != -1:
            members = pattern[i + 1 : end]
            if members.startswith("!"):
                out.append(next(ch for ch in "xyz0123456789abcdefghijklmnopqrstuvw" if ch not in members[1:]))
            else:
                out.append(members[0])
            i = end
        else:
            out.append(c)
        i += 1
    return "".join(out)


def explain_custom(rule: CustomRule) -> str:
    """What the rule checks, then a failing and a passing example."""
    letters = [letter for letter in LETTERS if letter in rule.letters]
    either = letters_text(letters)
    text = [f"{rule.id} (custom {rule.type} rule, severity: {rule.severity}, defined at {rule.location})", ""]
    text += [rule.description.rstrip(".") + ".", ""]
    if rule.type == "require" and rule.party is not None:
        party = rule.party.id
        text += [
            f"Every duty chosen by {_selector(rule.select)} must name {party} as {either}.",
            "The finding is placed at the duty; its subject is the duty.",
        ]
        failing = _duty(rule.select, "duty", "accountable: someone-else, responsible: [a-team]")
        # The passing example adds the party under the rule's first letter.
        named = {"accountable": "someone-else", "responsible": "[a-team]"}
        first = letters[0]
        if first == "accountable":
            named["accountable"] = party
        elif first == "responsible":
            named["responsible"] = f"[a-team, {party}]"
        else:
            named[first] = f"[{party}]"
        passing = _duty(rule.select, "duty", ", ".join(f"{k}: {v}" for k, v in named.items()))
    else:
        text += [
            f"No party may hold {either} both on a duty chosen by {_selector(rule.left)}",
            f"and on a duty chosen by {_selector(rule.right)}. One finding per party and pair",
            "of duties, placed at the left duty's claim, the right duty's claim related.",
        ]
        letter = letters[0]
        failing = _duty(rule.left, "left", f"{letter}: team-a") + _duty(rule.right, "right", f"{letter}: team-a")
        passing = _duty(rule.left, "left", f"{letter}: team-a") + _duty(rule.right, "right", f"{letter}: team-b")
    text += ["", "Failing example::", "", "    duties:", *failing, "", "Passing example::", "", "    duties:", *passing]
    return "\n".join(text) + "\n"
