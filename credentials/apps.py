from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credentials"
    verbose_name = "Credentials"

    def ready(self) -> None:
        # The candidate's result page links to the credential a pass earned. Scoring offers
        # this hook so that it never imports credentials (credentials reads scoring).
        from credentials.selectors import credential_link_for_attempt
        from scoring.presenters import register_credential_link

        register_credential_link(credential_link_for_attempt)
