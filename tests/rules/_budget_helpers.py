"""YAML shared by the funding rule tests (split-total, pools, money-format, funders).

Positions in the tests are counted in these texts, so keep their layout:
block-style budgets and pools, one split per line in flow style.
"""

from __future__ import annotations

from tests.conftest import PARTIES

# PARTIES with a CFO, who funds budgets without holding a role on the duties.
# Pass it as "parties.yaml" so that it replaces the default parties file.
PARTIES_WITH_CFO = (
    PARTIES
    + """\
  - {id: cfo, name: Chief Financial Officer, type: role, reports_to: ceo}
"""
)

# Two duties for budgets to fund: EDR run by the CISO's office, endpoints by the CIO's.
DUTIES = """\
apiVersion: raci/v1
kind: Duties
duties:
  - id: sec.edr-operations
    title: Operate endpoint detection and response
    raci:
      accountable: ciso
      responsible: [security-ops]
      consulted: [cio]
  - id: it.endpoint-management
    title: Manage company laptops and servers
    raci:
      accountable: cio
      responsible: [it-ops]
      informed: [ciso]
"""

# The shared pool, alone in its own file: its id is at line 4, column 9, its
# amount at line 5, column 13, its currency at line 6, column 15 and its
# period at line 7, column 13.
POOL = """\
apiVersion: raci/v1
kind: Budgets
pools:
  - id: fy27-it-capex
    amount: 2000000
    currency: USD
    period: FY2027
"""


def budget(
    id_: str = "fy27-security-tooling",
    *,
    amount: str = "100000",
    currency: str = "USD",
    period: str = "FY2027",
    pool: str | None = None,
    funds: str | None = None,
    splits: tuple[str, ...] = ("{party: ciso, percent: 60}", "{party: cio, percent: 40}"),
) -> str:
    """One Budgets document with one budget, written in the fixed layout:

    line 4 `- id:` (id at column 9), line 5 amount (column 13), line 6
    currency (column 15), line 7 period (column 13), then `pool:` (value at
    column 11) and `funds:` if given, then `splits:` and one split per line
    (`- {party: …}` with the party at column 17).
    """
    lines = [
        "apiVersion: raci/v1",
        "kind: Budgets",
        "budgets:",
        f"  - id: {id_}",
        f"    amount: {amount}",
        f"    currency: {currency}",
        f"    period: {period}",
    ]
    if pool is not None:
        lines.append(f"    pool: {pool}")
    if funds is not None:
        lines.append(f"    funds: {funds}")
    lines.append("    splits:")
    lines += [f"      - {split}" for split in splits]
    return "\n".join(lines) + "\n"
