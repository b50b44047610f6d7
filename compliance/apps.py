from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Compliance"

    def ready(self) -> None:
        # Staff logins and role changes are recorded by receivers (see compliance.signals).
        from compliance import signals  # noqa: F401
