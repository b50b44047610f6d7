from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "apikeys"
    verbose_name = "Integration API"

    def ready(self) -> None:
        # Registers the Bearer scheme with drf-spectacular, so /api/schema/ documents it.
        from apikeys import schema  # noqa: F401
