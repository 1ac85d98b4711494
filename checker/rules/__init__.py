"""The built-in rules, one module each.

Every module has `ID`, `SEVERITY`, a docstring that is the rule's user
documentation (shown by `raci explain`, with a failing and a passing example)
and `check(model) -> Iterator[Finding]`. Rules see the merged model, never raw
YAML; the loader and the schema validator report the three rules about reading
files (`yaml-syntax`, `duplicate-key`, `schema`), whose `check` yields nothing.
`checker.registry` lists them all.

Each module also says how a change to one duty can change its findings, so
that a re-run after an edit evaluates only what the edit touched (see
`checker.incremental`). An edit to anything but duties (a party, pool,
budget, custom rule or waiver) is always a full run, so a declaration only
speaks about duties. A duty's share of the set is its definitions, the claims
that name it (inline or in Assignments) and the Assignments entries that name
it. A module declares it in one of these ways:

- `PER_DUTY = True`: a finding that depends on a duty's share depends on no
  other duty's, and besides only on the parties and the custom rules; every
  other finding depends on no duty at all (budgets, pools, parties alone).
- `PER_BUDGET = True` with `reads` giving a frozenset of parties: a finding
  that depends on duties' shares is about one budget, depends on the shares of
  the duties it funds only through what `reads` gives of them, and only for
  the parties with a split in that budget; besides, only on the parties. Every
  other finding depends on no duty at all.
- `tally(model, duty) -> list[str]` and `check_tally(model, names)`: the
  findings depend on the duties only through which names occur in any duty's
  tally (`names`: those counted more than zero times over all duties), and
  besides only on the parties and the custom rules.
- `reads(model, duty) -> object`: what of one duty's share the findings
  depend on, compared with `==`; a rule that reads no duty at all returns
  None. While it is unchanged for every duty an edit touched, the findings are
  too. Beside one of the above, it spares the evaluation; alone, a change to it
  means the whole set is evaluated again.

A module that declares none of these is evaluated on the whole set after any
change to a duty. `tests/test_incremental.py` compares patched outcomes with
full runs over generated sets and edits.
"""
