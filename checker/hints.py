"""'Did you mean' hints for unknown ids, at a bounded cost however many ids there are.

A plain fuzzy match compares the unknown word with every known id, which is
quadratic when a file names thousands of unknown ids in a set of thousands of
known ones. Instead the known ids are indexed once by their one-character
deletions (the symmetric-delete method): a lookup generates the word's own
deletions and probes the index, O(len(word)) probes, finding every id within
one insertion, deletion, substitution or adjacent swap; case, separator and
whitespace slips are caught by a normalised lookup first. Short lists (rule
names, kinds, schema keys) are also scanned for a unique prefix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# Words longer than this are not typos of an id; skipping them bounds the work.
_MAX_WORD = 80
# Lists up to this long (rule names, kinds, keys) may also be scanned for a prefix.
_MAX_SCAN = 200


class Suggester:
    """Close matches of a word among a fixed set of known ids."""

    def __init__(self, known: Iterable[str]) -> None:
        self._known_set = set(known)
        self._known = sorted(self._known_set)
        self._normal: dict[str, str] | None = None
        self._deletes: dict[str, list[str]] | None = None
        self._memo: dict[str, str | None] = {}

    def _index(self) -> tuple[dict[str, str], dict[str, list[str]]]:
        # Built on the first unknown word only: a clean policy set never pays for it.
        if self._normal is None or self._deletes is None:
            normal: dict[str, str] = {}
            deletes: dict[str, list[str]] = {}
            for word in self._known:
                normal.setdefault(_normalise(word), word)
                if len(word) <= _MAX_WORD:
                    for variant in _deletions(word) | {word}:
                        deletes.setdefault(variant, []).append(word)
            self._normal, self._deletes = normal, deletes
        return self._normal, self._deletes

    def suggest(self, word: str) -> str | None:
        if word in self._memo:
            return self._memo[word]
        result = self._lookup(word)
        self._memo[word] = result
        return result

    def _lookup(self, word: str) -> str | None:
        if not self._known or len(word) > _MAX_WORD or word in self._known_set:
            return None
        normal, deletes = self._index()
        exact = normal.get(_normalise(word))
        if exact is not None and exact != word:
            return exact
        candidates: set[str] = set()
        for variant in _deletions(word) | {word}:
            candidates.update(deletes.get(variant, ()))
        candidates.discard(word)
        if not candidates and len(self._known) <= _MAX_SCAN and len(word) >= 3:
            # A shortened name (`orphan` for `orphaned-duty`): fine to scan a short list.
            candidates = {k for k in self._known if k.startswith(word)}
            if len(candidates) > 1:
                return None
        if not candidates:
            return None
        # Closest first; among equals, the longest shared prefix (a typo is
        # likelier late in a word: `USS` is `USD`, not `SOS`), then by name.
        return max(sorted(candidates), key=lambda c: (difflib.SequenceMatcher(None, word, c).ratio(), _prefix(word, c)))


def _prefix(a: str, b: str) -> int:
    """Length of the common prefix of two words."""
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _normalise(word: str) -> str:
    return word.strip().lower().replace("_", "-").replace(" ", "-")


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def did_you_mean(word: str, known: Iterable[str] | Suggester) -> str:
    """' (did you mean 'x'?)', or '' when nothing is close."""
    suggester = known if isinstance(known, Suggester) else Suggester(known)
    match = suggester.suggest(word)
    return f" (did you mean {match!r}?)" if match else ""
