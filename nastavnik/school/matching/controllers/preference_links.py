"""The personal link a participant opens after the group meeting, without signing in: a
signed token names the person, the school and the year, and there is no workspace.

The platform no longer hands these links out: the questionnaire after the group meeting
(`/q/<token>`, questionnaires) replaced them and passes its choices to matching. The page
stays so that links already sent keep working until they expire (30 days)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState

from nastavnik.platform.web import DB, Form, request_id_of
from nastavnik.school.matching import services
from nastavnik.school.matching.controllers._common import AnyRequest


class PreferenceLinkController(Controller):
    path = "/preferences"
    include_in_schema = False

    async def _render(
        self,
        request: AnyRequest,
        db: DB,
        token: str,
        *,
        form: Form | None = None,
        status_code: int = 200,
    ) -> Template:
        secret = request.app.state.settings.session_secret
        target = await services.resolve_link(db, secret, token)
        if target is None:
            raise NotFoundException
        chosen = await services.chosen_by_link(db, target)
        choices = await services.link_choices(db, target)
        return Template(
            template_name="matching/preference_link.html",
            status_code=status_code,
            context={
                "target": target,
                "choices": choices,
                "choice_options": [(str(p.id), p.full_name) for p in choices],
                "token": token,
                "form": form or Form(data={"chosen": [str(c) for c in chosen]}),
                "saved": request.query_params.get("saved") == "1",
                "max_choices": services.MAX_CHOICES,
                "csrf_token": ScopeState.from_scope(request.scope).csrf_token or "",
                "request_id": request_id_of(request),
            },
        )

    @get("/{token:str}", name="matching:preference_link")
    async def show(self, request: AnyRequest, db: DB, token: FromPath[str]) -> Template:
        return await self._render(request, db, token)

    @post("/{token:str}", name="matching:preference_link_save")
    async def save(self, request: AnyRequest, db: DB, token: FromPath[str]) -> Template | Redirect:
        secret = request.app.state.settings.session_secret
        target = await services.resolve_link(db, secret, token)
        if target is None:
            raise NotFoundException
        data = await request.form()
        chosen = [str(v) for v in data.getall("chosen", [])]
        form = Form(data={"chosen": chosen})
        if not await services.save_link_choices(db, target, chosen, form):
            return await self._render(request, db, token, form=form, status_code=422)
        return Redirect(f"/preferences/{token}?saved=1", status_code=303)
