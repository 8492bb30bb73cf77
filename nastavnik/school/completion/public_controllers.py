"""The public page «Наставничество» of a school, without sign-in, at a stable URL.

`/public/<school code>/nastavnichestvo` (and `/embed`, a compact version for an iframe on
the school's own site) read the published snapshot only — never a school's tables, and
never with a school scope set — so an anonymous visitor can reach nothing else. A page is
rendered once per published version and kept per worker; the version is its ETag.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from nastavnik.platform import documents as d
from nastavnik.platform.web import DB
from nastavnik.school.completion import public

AnyRequest = Request[Any, Any, Any]
CACHE_CONTROL = "public, max-age=60"
EMBED_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self'; "
    "frame-ancestors *"
)


async def _render(request: AnyRequest, db: DB, code: str, variant: str) -> Response[Any]:
    found = await public.published_version(db, code)
    if found is None:
        raise NotFoundException
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": found.etag, "Vary": "Accept-Encoding"}
    if variant == "embed":
        headers["Content-Security-Policy"] = EMBED_CSP
    if request.headers.get("if-none-match") == found.etag:
        return Response(b"", status_code=304, headers=headers)
    html = public.PAGE_CACHE.get(code, variant, found.etag)
    if html is None:
        content = await public.published_content(db, found.id)
        if content is None:
            raise NotFoundException
        engine = request.app.template_engine
        assert engine is not None  # noqa: S101 - the app is configured with Jinja
        template = engine.get_template(f"public/{variant}.html")
        html = template.render(page=content, code=code, base=public.public_path(code))
        public.PAGE_CACHE.put(code, variant, found.etag, html)
    return Response(html, media_type="text/html; charset=utf-8", headers=headers)


class PublicSchoolPageController(Controller):
    path = "/public/{school_code:str}/nastavnichestvo"
    include_in_schema = False

    @get("/", name="public:page")
    async def page(self, request: AnyRequest, db: DB, school_code: FromPath[str]) -> Response[Any]:
        return await _render(request, db, school_code, "page")

    @get("/embed", name="public:embed")
    async def embed(self, request: AnyRequest, db: DB, school_code: FromPath[str]) -> Response[Any]:
        return await _render(request, db, school_code, "embed")

    @get("/files/{file_id:str}", name="public:file")
    async def file(self, db: DB, school_code: FromPath[str], file_id: FromPath[str]) -> Response[bytes]:
        found = await public.published_file(db, school_code, file_id)
        if found is None:
            raise NotFoundException
        inline = found.content_type != d.PDF_MEDIA_TYPE
        return Response(
            found.content,
            media_type=found.content_type,
            headers={
                "Cache-Control": CACHE_CONTROL,
                "Content-Disposition": d.content_disposition(found.filename, inline=inline),
            },
        )
