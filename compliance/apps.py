from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Compliance"

    def ready(self) -> None:
        # Staff logins and role changes are recorded by receivers (see compliance.signals).
        # The candidate notice states the period erasure follows: the longest applicable rule.
        from assessments.notices import use_retention_rule
        from compliance import signals  # noqa: F401
        from compliance.selectors import personal_data_retention

        use_retention_rule(lambda assessment: personal_data_retention(assessment).days)
