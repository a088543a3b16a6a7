"""The pages a person opens first: a landing page at /, and the API docs at /docs with Swagger
UI's files served by the app itself (from the swagger-ui-py package: Swagger UI 5, which renders
the OpenAPI 3.1 FastAPI writes), so both work with no internet, as the admin page does."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

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
    app.mount(ASSETS, StaticFiles(directory=_swagger_ui_files()), name="docs-assets")

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


def _swagger_ui_files() -> Path:
    """The package's static folder, found without importing it (its import loads its
    framework handlers and YAML: 0.1 s)."""
    spec = find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed (pip install -e .)")
    return Path(spec.submodule_search_locations[0]) / "static"
