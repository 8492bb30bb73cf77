"""Every model module, imported so that the metadata is complete (Alembic, tests)."""

from nastavnik.platform import audit as _audit
from nastavnik.platform import imports as _imports
from nastavnik.platform.auth import models as _auth
from nastavnik.platform.db import metadata
from nastavnik.regional.indicators import models as _indicators
from nastavnik.regional.routes import models as _routes
from nastavnik.school.bank import models as _bank
from nastavnik.school.completion import models as _completion
from nastavnik.school.directory import models as _directory
from nastavnik.school.documents import models as _documents
from nastavnik.school.matching import models as _matching
from nastavnik.school.meetings import models as _meetings
from nastavnik.school.pairs import models as _pairs
from nastavnik.school.participants import models as _participants
from nastavnik.school.programme import models as _programme
from nastavnik.school.questionnaires import models as _questionnaires
from nastavnik.school.roadmap import models as _roadmap
from nastavnik.tenants import models as _tenants
from nastavnik.tenants import reference as _reference

__all__ = ["metadata"]
_MODULES = (_audit, _auth, _imports, _participants, _tenants, _reference)
_MODULES_ISSUE_3 = (_programme, _roadmap, _documents)
_MODULES_ISSUE_5 = (_matching, _pairs, _meetings)
_MODULES_ISSUE_11 = (_questionnaires,)
_MODULES_ISSUE_12 = (_indicators,)
_MODULES_ISSUE_13 = (_directory, _bank)
_MODULES_ISSUE_15 = (_completion,)
_MODULES_ISSUE_14 = (_routes,)
