"""`/docs` and `/redoc` are served with their scripts and styles from the package (no CDN), each under
a Content-Security-Policy that allows only this server's scripts and the one inline script it sends."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from musicflow.web import STATIC
from tests.api.conftest import ClientFactory

ASSETS = STATIC / "apidocs"


def test_the_docs_pages_name_only_this_servers_assets(api: ClientFactory):
    client = api()
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "http://" not in page.text and "https://" not in page.text, path
        for asset in re.findall(r'(?:src|href)="([^"]+)"', page.text):
            served = client.get(asset)
            assert served.status_code == 200, asset
            assert served.content == (ASSETS / Path(asset).name).read_bytes()
    bundle = client.get("/static/apidocs/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert client.get("/static/apidocs/swagger-ui.css").headers["content-type"].startswith("text/css")


def test_the_scripts_of_the_docs_pages_load_nothing_from_elsewhere(api: ClientFactory):
    """ReDoc's bundle drew its "by Redocly" logo from its CDN: the page's policy blocked it (an error in
    the console) and the pages promise nothing from a CDN. No image or script a bundle makes names an
    address off this server."""
    client = api()
    for path in ("/docs", "/redoc"):
        scripts = re.findall(r'<script src="([^"]+)"', client.get(path).text)
        assert scripts, path
        for script in scripts:
            code = client.get(script).text
            assert re.findall(r'\bsrc:\s*"(https?://[^"]*)"', code) == [], script
            assert "cdn.redoc.ly" not in code and "cdn.jsdelivr.net" not in code, script


def test_each_docs_page_allows_its_own_inline_script_by_hash_and_no_other(api: ClientFactory):
    client = api()
    swagger = client.get("/docs")
    policy = swagger.headers["content-security-policy"]
    (inline,) = re.findall(r"<script>(.*?)</script>", swagger.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
    script_src = next(part for part in policy.split("; ") if part.startswith("script-src "))
    assert script_src == f"script-src 'self' 'sha256-{digest}'"
    assert "frame-ancestors 'none'" in policy and "connect-src 'self'" in policy
    assert swagger.headers["x-content-type-options"] == "nosniff"
    redoc = client.get("/redoc").headers["content-security-policy"]
    assert "script-src 'self';" in redoc  # ReDoc's page has no inline script


def test_the_vendored_assets_say_where_they_come_from():
    provenance = (ASSETS / "PROVENANCE.md").read_text(encoding="utf-8")
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon-32x32.png"):
        digest = hashlib.sha256((ASSETS / name).read_bytes()).hexdigest()
        assert f"{digest}  {name}" in provenance, name
    for licence in ("swagger-ui-dist.LICENSE", "swagger-ui-dist.NOTICE", "redoc.LICENSE"):
        assert (ASSETS / licence).is_file()
