"""The routes of the web app: pages for people, /api for programs. Every route is GET (and
HEAD); there is no route that writes, and the build is opened read-only.

Errors of the library become answers here, in one place: an unknown query or report is a
404, a bad parameter or level a 400 (a page for the forms, plain text for the API), no
build a 503; anything else a 500 that says so without a traceback.
"""

from __future__ import annotations

import json
import logging
import re
from functools import cache, wraps
from importlib import resources
from urllib.parse import quote, urlencode

from newskg import api
from newskg.errors import BuildMissingError, NewskgError, ParameterError, QueryNotFoundError, UsageError
from newskg.namespaces import LEVELS
from newskg.project import Project
from newskg.query.parameters import term_for
from newskg.query.results import AskResult, GraphResult, SelectResult
from newskg.serve.negotiation import FORMAT_TYPES, GRAPH_TYPES, SELECT_TYPES, choose
from newskg.serve.resource import parse_iri, resource_view
from newskg.serve.state import AppState

log = logging.getLogger("newskg.serve")
#: Query-string names the app reads itself: the level, the API's format, the form's run button.
#: A saved query that declares a parameter of one of these names keeps it as its parameter.
RESERVED = ("at", "format", "run")
#: Rows a results page shows; the API returns them all.
MAX_PAGE_ROWS = 2000
NAV = [("Reports", "/report"), ("Saved queries", "/queries"), ("API", "/api/queries")]
_QUERY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")
HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def resource_link(iri: str) -> str:
    """The URL of the page about ``iri``."""
    return "/resource?iri=" + quote(iri, safe="")


@cache
def _environment():
    import jinja2

    from newskg.namespaces import shorten

    env = jinja2.Environment(loader=jinja2.PackageLoader("newskg.serve", "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["curie"] = shorten
    env.globals.update(resource_link=resource_link, nav=NAV, levels=LEVELS)
    return env


def _status_of(err: NewskgError) -> int:
    if isinstance(err, QueryNotFoundError):
        return 404
    if isinstance(err, UsageError):  # ParameterError, unknown level or report, an update
        return 400
    if isinstance(err, BuildMissingError):
        return 503
    return 500


def _page(template: str, status: int = 200, **values):
    from starlette.responses import HTMLResponse

    body = _environment().get_template(template).render(**values)
    return HTMLResponse(body, status_code=status, headers={**HEADERS, "Content-Security-Policy": PAGE_CSP})


def _text(body: str, status: int, media: str = "text/plain"):
    from starlette.responses import Response

    return Response(body, status_code=status, media_type=f"{media}; charset=utf-8", headers=dict(HEADERS))


def page_route(handler):
    """A page handler whose library errors become an error page with the right status."""
    @wraps(handler)
    def wrapped(request):
        try:
            return handler(request)
        except NewskgError as err:
            return _page("error.html.j2", _status_of(err), title="Error", message=str(err))
        except Exception:  # a bug must not take the app down; the log keeps the traceback
            log.exception("error on %s", request.url.path)
            return _page("error.html.j2", 500, title="Error", message="internal error; see the server's log")
    return wrapped


def api_route(handler):
    """An API handler whose library errors become a plain-text answer with the right status."""
    @wraps(handler)
    def wrapped(request):
        try:
            return handler(request)
        except NewskgError as err:
            return _text(f"error: {err}\n", _status_of(err))
        except Exception:
            log.exception("error on %s", request.url.path)
            return _text("error: internal error; see the server's log\n", 500)
    return wrapped


def build_app(project: Project, level: str = LEVELS[0], allowed_hosts: list[str] | None = None):
    """The Starlette application over ``project``'s build; ``level`` is the default level.

    ``allowed_hosts`` limits the Host header the app answers (a loopback server answers only
    its own names, which defeats DNS rebinding); None answers any.
    """
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.routing import Route

    if level not in LEVELS:
        raise UsageError(f"unknown level {level!r}; levels: {', '.join(LEVELS)}")
    state = AppState(project, level)

    def level_of(request) -> str:
        chosen = request.query_params.get("at") or state.level
        if chosen not in LEVELS:
            raise UsageError(f"unknown level {chosen!r}; levels: {', '.join(LEVELS)}")
        return chosen

    def saved_query(name: str):
        # Only names of the catalogue: a name that looks like a path never reaches the file system.
        if not _QUERY_NAME.match(name) or name.endswith(".rq"):
            raise QueryNotFoundError(name, [], [q.name for q in api.list_queries(project)])
        return api.find_query(name, project=project)

    @page_route
    def index(request):
        try:
            reports = state.reports()
        except UsageError:  # a build without reports still has its queries
            reports = []
        return _page("index.html.j2", title="newskg", reports=reports, queries=api.list_queries(project),
                     level=state.level)

    @page_route
    def report_page(request):
        from starlette.responses import HTMLResponse

        from newskg import report
        from newskg.report.html import csp_hash, inline_assets

        reports = state.reports()
        slug = request.path_params.get("slug")
        if slug is not None:
            reports = [r for r in reports if r.slug == slug]
            if not reports:
                known = ", ".join(r.slug for r in state.reports()) or "none"
                return _page("error.html.j2", 404, title="Error",
                             message=f"no report {slug!r} in the build; reports: {known}")
        body = report.render(reports, level=level_of(request), link=resource_link, nav=NAV)
        css, js = inline_assets()
        csp = (f"default-src 'none'; style-src {csp_hash(css)}; script-src {csp_hash(js)}; img-src data:; "
               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
        return HTMLResponse(body, headers={**HEADERS, "Content-Security-Policy": csp})

    @page_route
    def queries_page(request):
        return _page("queries.html.j2", title="Saved queries", queries=api.list_queries(project))

    @page_route
    def query_page(request):
        saved = saved_query(request.path_params["name"])
        args = request.query_params
        own = {p.name for p in saved.params}
        values = {p.name: args.get(p.name, "") for p in saved.params}
        level = state.level if "at" in own else args.get("at") or state.level
        errors: dict[str, str] = {}
        result, message, status = None, None, 200
        if "run" in args or ("run" in own and args):
            given = {name: value for name, value in values.items() if value != ""}
            for spec in saved.params:  # say which field is wrong, then let the library bind them all
                if spec.name in given:
                    try:
                        term_for(spec, given[spec.name])
                    except ParameterError as err:
                        errors[spec.name] = str(err)
            try:
                if level not in LEVELS:
                    raise UsageError(f"unknown level {level!r}; levels: {', '.join(LEVELS)}")
                prepared = api.prepare_query(saved.name, project=project, params=given, level=level)
                result = state.execute(prepared)
            except (UsageError, ParameterError) as err:
                message, status = str(err), 400
        downloads = []
        if result is not None:
            query_string = {k: v for k, v in values.items() if v != ""} | ({"at": level} if "at" not in own else {})
            formats = ("turtle", "ntriples", "jsonld") if isinstance(result, GraphResult) else ("json", "csv", "tsv")
            downloads = [(fmt, f"/api/queries/{saved.name}?" + urlencode(query_string | {"format": fmt}))
                         for fmt in formats if "format" not in own]
        return _page("query.html.j2", status, title=saved.title or saved.name, query=saved, values=values,
                     level=level, level_is_param="at" in own, errors=errors, message=message, result=result,
                     kind=_kind(result), max_rows=MAX_PAGE_ROWS, downloads=downloads)

    @page_route
    def resource_page(request):
        raw = request.query_params.get("iri", "")
        if not raw:
            raise UsageError("say which resource: /resource?iri=nkr:ISI (a CURIE or a full IRI)")
        view = resource_view(state, parse_iri(raw), level_of(request))
        return _page("resource.html.j2", title=view.iri, view=view)

    @api_route
    def api_catalog(request):
        items = [{"name": q.name, "title": q.title, "description": q.description, "form": q.form,
                  "inferred": q.inferred, "url": f"/api/queries/{q.name}",
                  "parameters": [{"name": p.name, "type": p.type, "default": p.default, "required": p.required,
                                  "description": p.description, "allowed": list(p.allowed)} for p in q.params]}
                 for q in api.list_queries(project)]
        return _text(json.dumps({"queries": items, "levels": list(LEVELS), "default_level": state.level},
                                ensure_ascii=False, indent=1) + "\n", 200, "application/json")

    @api_route
    def api_query(request):
        from newskg.query.render import render

        saved = saved_query(request.path_params["name"])
        own = {p.name for p in saved.params}
        params: dict[str, str] = {}
        for key, value in request.query_params.multi_items():
            if key in RESERVED and key not in own:
                continue
            if key in params:
                raise ParameterError(f"parameter {key!r} is given more than once")
            params[key] = value
        level = state.level if "at" in own else level_of(request)
        offered = GRAPH_TYPES if saved.form in ("CONSTRUCT", "DESCRIBE") else SELECT_TYPES
        fmt_name = None if "format" in own else request.query_params.get("format")
        if fmt_name:
            if fmt_name not in FORMAT_TYPES or FORMAT_TYPES[fmt_name] not in offered:
                choices = ", ".join(sorted(set(offered.values())))
                raise UsageError(f"format {fmt_name!r} does not apply to this query; formats: {choices}")
            media, fmt = FORMAT_TYPES[fmt_name], fmt_name
        else:
            chosen = choose(request.headers.get("accept"), offered)
            if chosen is None:
                return _text("error: none of the accepted types is offered; this query answers "
                             + ", ".join(offered) + "\n", 406)
            media, fmt = chosen
        prepared = api.prepare_query(saved.name, project=project, params=params, level=level)
        result = state.execute(prepared)
        if result is None:  # prepare_query refuses updates; this keeps it so if that ever changes
            raise UsageError(f"{saved.name} is a SPARQL update; the web app runs none")
        response = _text(render(result, fmt), 200, media)
        response.headers["Vary"] = "Accept"
        return response

    def stylesheet(request):
        from starlette.responses import Response

        css = resources.files("newskg.serve").joinpath("static").joinpath("app.css").read_text("utf-8")
        return Response(css, media_type="text/css; charset=utf-8", headers=dict(HEADERS))

    routes = [Route("/", index), Route("/report", report_page), Route("/report/{slug}", report_page),
              Route("/queries", queries_page), Route("/queries/{name}", query_page),
              Route("/resource", resource_page), Route("/api/queries", api_catalog),
              Route("/api/queries/{name}", api_query), Route("/static/app.css", stylesheet)]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)] if allowed_hosts else []
    return Starlette(routes=routes, middleware=middleware)


def _kind(result) -> str:
    if isinstance(result, SelectResult):
        return "select"
    if isinstance(result, AskResult):
        return "ask"
    if isinstance(result, GraphResult):
        return "graph"
    return "none"
