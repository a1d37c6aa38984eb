from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse


def admin_page(
    request: HttpRequest, template: str, title: str, context: dict[str, Any], status: int = 200
) -> TemplateResponse:
    """A page with admin's header, sidebar and permissions context (each_context)."""
    full_context = {**admin.site.each_context(request), "title": title, **context}
    return TemplateResponse(request, template, full_context, status=status)
