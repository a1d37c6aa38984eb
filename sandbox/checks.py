"""System check: a bad SANDBOX_CHAOS fails `manage.py check` (and runserver) at start-up,
not on the first API call it would break."""

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from sandbox.services import chaos


@checks.register()
def check_chaos_setting(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        chaos.settings_rule()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="sandbox.E001")]
    return []
