"""The built-in rules, one module each.

Every module has `ID`, `SEVERITY`, a docstring that is the rule's user
documentation (shown by `raci explain`, with a failing and a passing example)
and `check(model) -> Iterator[Finding]`. Rules see the merged model, never raw
YAML; the loader and the schema validator report the three rules about reading
files (`yaml-syntax`, `duplicate-key`, `schema`), whose `check` yields nothing.
`checker.registry` lists them all.
"""
