from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "amity.audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        # Every app writes the log through amity.core.audit; sign-ins, failures, lockouts and changes of a user's
        # role or provinces are recorded from the signals of Django, axes and the User model.
        from amity.core import audit

        from . import receivers, services

        audit.register(services.AuditLogWriter())
        receivers.connect()
