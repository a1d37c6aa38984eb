from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Invoicing"

    def ready(self) -> None:
        # Connect the payments signal receivers and register the settings checks.
        from invoicing import checks, receivers  # noqa: F401
