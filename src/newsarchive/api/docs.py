"""The pages a person opens first: a landing page at /, and the API docs at /docs with Swagger
UI's files served by the app itself (from the swagger-ui-bundle package), so both work with no
internet, as the admin page does."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from newsarchive import __version__

ASSETS = "/docs/assets"
LANDING = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>newsarchive</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>newsarchive {__version__}</h1>
<p>A searchable archive of news articles.</p>
<ul>
<li><a href="/admin/">The admin page</a>: search, articles, sources, runs</li>
<li><a href="/docs">The API</a> (<a href="/openapi.json">OpenAPI schema</a>)</li>
<li><a href="/api/health">Health</a></li>
</ul></body></html>"""


def install(app: FastAPI) -> None:
    """Needs FastAPI(docs_url=None, redoc_url=None): these routes replace the CDN-based ones."""
    app.mount(ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="newsarchive API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        )

    @app.get("/", include_in_schema=False)
    def landing() -> HTMLResponse:
        return HTMLResponse(LANDING)
