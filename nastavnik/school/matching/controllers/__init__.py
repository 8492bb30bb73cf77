"""Matching pages: rounds, the proposal table and its actions, weights, marks, preferences,
and the signed preference links participants open without signing in."""

from __future__ import annotations

from nastavnik.school.matching.controllers.people import MatchingPeopleController
from nastavnik.school.matching.controllers.preference_links import PreferenceLinkController
from nastavnik.school.matching.controllers.proposals import ProposalsController
from nastavnik.school.matching.controllers.rounds import RoundController, RoundsController
from nastavnik.school.matching.controllers.weights import WeightsController

MATCHING_CONTROLLERS = [
    RoundsController,
    RoundController,
    ProposalsController,
    WeightsController,
    MatchingPeopleController,
    PreferenceLinkController,
]

__all__ = ["MATCHING_CONTROLLERS"]
