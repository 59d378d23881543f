"""The matching engine: hard constraints, scores, an exact solver and its certificate.

No chat types and no database here: loaders build a ``Population`` of arrays, and the
result carries reasons as codes that the dialogs layer puts into words.
"""

from bot.matching.engine import (
    MatchResult,
    MatchStats,
    Optimality,
    ProposedPair,
    UnmatchedMentee,
    propose_pairings,
)
from bot.matching.population import (
    Enrollee,
    Organisation,
    OrgPerson,
    Population,
    Rules,
    Side,
    Weights,
    build_population,
)

__all__ = [
    "Enrollee",
    "MatchResult",
    "MatchStats",
    "Optimality",
    "OrgPerson",
    "Organisation",
    "Population",
    "ProposedPair",
    "Rules",
    "Side",
    "UnmatchedMentee",
    "Weights",
    "build_population",
    "propose_pairings",
]
