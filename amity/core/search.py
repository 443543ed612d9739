"""Finding a name by what a user typed, one rule for every picker that searches on the server (the location
picker's provinces and communes, the donor filter's organisations): case, Vietnamese diacritics (tone marks
placed either way, đ as d) and repeated spaces are ignored, and the matches are ranked — the whole name, its start,
a word's start, anywhere in it, every word typed starting a word of it."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Hashable, Iterable
from typing import TypeVar

_Key = TypeVar("_Key", bound=Hashable)


@functools.lru_cache(maxsize=65536)  # the same names are folded for every keystroke of every user
def fold(text: str) -> str:
    """Lower case without diacritics, spaces collapsed: "Hải  Phòng" and "hai phong" are both "hai phong", "Đồng"
    is "dong" — so that a name is found however it is typed (tone marks placed either way, or left out)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def name_rank(folded: str, *names: str) -> int | None:
    """How well the best of `names` matches `folded` (what was typed, already folded), lower is better: 0 the
    whole name, 1 its start, 2 a word's start ("phong" finds "Hải Phòng"), 3 anywhere in it, 4 every word typed
    starts a word of it, in any order ("plan viet" finds "Plan International Vietnam"); None if none matches."""
    if not folded:
        return None
    best: int | None = None
    words = folded.split()
    for raw in names:
        name = fold(raw)
        if not name:
            continue
        if folded == name:
            return 0
        if name.startswith(folded):
            rank = 1
        elif f" {folded}" in f" {name}":
            rank = 2
        elif folded in name:
            rank = 3
        elif len(words) > 1 and all(f" {word}" in f" {name}" for word in words):
            rank = 4
        else:
            continue
        best = rank if best is None else min(best, rank)
    return best


def best_matches(
    query: str, candidates: Iterable[tuple[_Key, tuple[str, ...]]], *, limit: int
) -> tuple[list[_Key], int]:
    """The keys of the `limit` candidates (key, names) whose names match `query` best — by rank, then by the first
    name folded —, and how many match in all."""
    folded = fold(query)
    ranked: list[tuple[int, str, int, _Key]] = []
    for key, names in candidates:
        rank = name_rank(folded, *names)
        if rank is not None:
            ranked.append((rank, fold(names[0]) if names else "", len(ranked), key))
    ranked.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in ranked[:limit]], len(ranked)
