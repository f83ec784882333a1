"""The API's documentation pages, `/docs` (Swagger UI) and `/redoc` (ReDoc), working with no network.

Their scripts, styles and icon are served from the package (`web/static/apidocs`, with their licences
and `PROVENANCE.md`) rather than from a CDN, through FastAPI's own page builders. Each page carries its
own Content-Security-Policy, as strict as the pages allow: scripts from this server only, plus the one
inline script FastAPI's Swagger UI page starts with, allowed by its hash (computed from the page as
sent, so it follows FastAPI and the schema's address); styles may be inline, as both interfaces set
styles from script; ReDoc's search runs in a worker it makes from a `blob:`. Nothing is fetched from
elsewhere: no fonts, no validator badge, no CDN; ReDoc's one address on its CDN (the "by Redocly"
logo, which no option turns off) is replaced in the vendored bundle (`PROVENANCE.md` says how), so the
browser does not even try it.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

from musicflow.web.security import PAGE_HEADERS

ASSETS = "/static/apidocs"
DOCS_PATHS = ("/docs", "/redoc")
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def install_docs(app: FastAPI) -> None:
    """`/docs` and `/redoc` on the packaged assets; create the app with `docs_url=None, redoc_url=None`."""

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _root(request)
        page = get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS}/favicon-32x32.png",
            oauth2_redirect_url=None,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )
        return _with_headers(page)

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = _root(request)
        page = get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS}/favicon-32x32.png",
            with_google_fonts=False,
        )
        return _with_headers(page)


def _root(request: Request) -> str:
    root: str = request.scope.get("root_path", "")
    return root.rstrip("/")


def docs_policy(html: str) -> str:
    """The Content-Security-Policy of a docs page: its inline scripts allowed by hash, nothing else inline."""
    hashes = "".join(
        f" 'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in INLINE_SCRIPT.findall(html)
    )
    return DOCS_POLICY.format(hashes=hashes)


def _with_headers(page: HTMLResponse) -> HTMLResponse:
    html = bytes(page.body).decode()
    page.headers["Content-Security-Policy"] = docs_policy(html)
    for name, value in PAGE_HEADERS:
        if name != b"content-security-policy":
            page.headers[name.decode()] = value.decode()
    return page
