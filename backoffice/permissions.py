"""Who may use the backoffice pages: staff who can see orders; finance for money-moving checks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

# Support and finance both have this one.
VIEW_PERMISSION = "payments.view_order"
# Finance (and superusers, who hold every permission): reconciliation, settlement uploads.
FINANCE_PERMISSION = "payments.refund_order"

View = Callable[..., HttpResponseBase]


def can_view(user: Any) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(VIEW_PERMISSION))


def can_do_finance(user: Any) -> bool:
    return can_view(user) and bool(user.has_perm(FINANCE_PERMISSION))


def backoffice_view(view: View, *, finance: bool = False) -> View:
    """Wrap a view like admin's own pages: anonymous or non-staff users go to the admin login
    (admin_view, which also adds CSRF protection and never-cache); staff without the
    permission get 403."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        allowed = can_do_finance(request.user) if finance else can_view(request.user)
        if not allowed:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return admin.site.admin_view(checked)
