"""Pages of the banks: mentees and mentors of a year, people's cards, profiles, consents,
partner organisations, consent forms and exports.

Who sees what: curator and director keep the banks and see everyone; the psychologist sees
people with a valid consent and records interview results; a mentor or mentee teacher sees
only their own card. Every view or export of a card by staff is written to the audit log.
"""

from __future__ import annotations

from nastavnik.school.participants.controllers.banks import BanksController
from nastavnik.school.participants.controllers.bulk_consents import BulkConsentsController
from nastavnik.school.participants.controllers.bulk_requests import BulkRequestsController
from nastavnik.school.participants.controllers.cards import CardsController
from nastavnik.school.participants.controllers.consents import ConsentsController
from nastavnik.school.participants.controllers.me import MyCardController
from nastavnik.school.participants.controllers.partners import PartnersController
from nastavnik.school.participants.controllers.people import PeopleController
from nastavnik.school.participants.controllers.profiles import ProfilesController
from nastavnik.school.participants.import_controllers import ParticipantImportController

# Registered in this order by the app; Litestar routes by path, so the order only keeps
# the list readable.
PARTICIPANT_CONTROLLERS = [
    BanksController,
    PeopleController,
    MyCardController,
    CardsController,
    ProfilesController,
    ConsentsController,
    BulkConsentsController,
    BulkRequestsController,
    PartnersController,
    ParticipantImportController,
]

__all__ = ["PARTICIPANT_CONTROLLERS"]
