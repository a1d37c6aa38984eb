from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SandboxConfig(AppConfig):
    name = "sandbox"
    verbose_name = "Sandbox gateway"

    def ready(self) -> None:
        # settings.py already refuses this combination; this guard also catches settings
        # modules that add the app by hand.
        if getattr(settings, "PHONEPE_ENV", "sandbox") == "production":
            raise ImproperlyConfigured(
                "The sandbox gateway must not run with PHONEPE_ENV=production: "
                "remove 'sandbox' from INSTALLED_APPS (unset SANDBOX_ENABLED)."
            )
        from sandbox import checks  # noqa: F401  (registers the SANDBOX_CHAOS check)
