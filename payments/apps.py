from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from payments.roles import ensure_roles

        # After every migrate (when all permissions exist), keep the operator groups in step.
        post_migrate.connect(ensure_roles, dispatch_uid="payments.ensure_roles")
