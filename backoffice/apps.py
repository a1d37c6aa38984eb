from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    """Operators' pages inside Django admin: dashboard, exports, reconciliation, settlements.

    Reads `payments` and calls its gateway; `payments` never imports this app.
    """

    name = "backoffice"
    verbose_name = "Backoffice"
    default_auto_field = "django.db.models.BigAutoField"
