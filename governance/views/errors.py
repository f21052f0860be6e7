"""Friendly error pages (handler403, handler404, handler500 in config/urls.py); under
/api/ the same errors as problem-details JSON, as the API's own views answer."""

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

API_PREFIX = "/api/"


def _problem(request: HttpRequest, status: int, title: str, detail: str) -> HttpResponse | None:
    if not request.path.startswith(API_PREFIX):
        return None
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return HttpResponse(json.dumps(body), status=status, content_type="application/problem+json")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else ""
    problem = _problem(request, 403, "Not allowed", message or "You may not do this.")
    if problem is not None:
        return problem
    return render(request, "403.html", {"message": message}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    problem = _problem(request, 404, "Not found", "No such resource, or you may not see it.")
    return problem or render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the error may be the database.
    from django.template import loader

    problem = _problem(request, 500, "Server error", "Something went wrong on our side.")
    return problem or HttpResponse(loader.get_template("500.html").render(), status=500)
