"""OpenAPI additions drf-spectacular cannot infer: the problem-details error responses
every operation can return (governance/api/errors.py), documented once for all."""

from typing import Any

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Messages per field (400 only).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "missing": {
            "type": "array",
            "description": "Missing card fields (409 on an incomplete card only).",
            "items": {"type": "string"},
        },
    },
    "required": ["type", "title", "status", "detail"],
}
ALWAYS = {
    "400": "Bad input (per-field messages in `errors`).",
    "401": "No valid token or session.",
    "403": "Visible, but you may not do this.",
    "404": "Not found, or you may not see it.",
    "405": "Method not allowed.",
    "406": "Not acceptable (the Accept header asks for a format this call does not give).",
    "429": "Too many requests for this token; see Retry-After.",
}
WRITES = {
    "409": "Conflict: the state forbids it (an open request, a stale card, an illegal move).",
    "413": "The body is over the limit for this call.",
    "415": "Send application/json.",
}


def _problem_response(description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def add_problem_responses(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS POSTPROCESSING_HOOKS)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            errors = dict(ALWAYS)
            if method in ("post", "put", "patch", "delete"):
                errors.update(WRITES)
            responses = operation.setdefault("responses", {})
            for status, description in errors.items():
                responses.setdefault(status, _problem_response(description))
    return result
