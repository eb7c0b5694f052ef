"""``benchmark serve``: one web service for leaders and analysts (SPEC §10).

Modules, one job each: ``app`` (the ASGI app), ``auth`` (login, sessions, rate limit, trusted
header), ``users`` (the users file), ``scopes`` (authorisation), ``data`` (stored runs as a user
may see them), ``routes`` and ``pages`` (the service's own pages), ``access`` (the audit log),
``context`` (what a notebook asks about its user) and ``astlock`` (CPython 3.11's AST threading bug).
"""

from __future__ import annotations

__all__ = ["create_app"]


def create_app(*args, **kwargs):
    from benchmark.service.app import create_app as _create

    return _create(*args, **kwargs)
