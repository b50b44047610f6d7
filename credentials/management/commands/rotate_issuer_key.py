"""Make a new Ed25519 key the issuer's signing key; earlier keys stay published."""

from django.core.management.base import BaseCommand, CommandError

from credentials import keys, services
from credentials.exceptions import IssuerKeyError


class Command(BaseCommand):
    help = (
        "Rotate the issuer's signing key: a new key signs from now on; every earlier key stays "
        "in the DID document, so credentials it signed keep verifying."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--print-new-secret",
            action="store_true",
            help="only print a new secret key for ISSUER_SECRET_KEY (when keys come from the "
            "environment); nothing is changed",
        )

    def handle(self, *args, **options):
        if options["print_new_secret"]:
            self.stdout.write(keys.new_secret_multibase())
            return
        try:
            key = services.rotate_issuer_key()
        except IssuerKeyError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"New signing key {key.kid} ({key.public_key_multibase}) for {keys.issuer_id()}; "
            f"{len(keys.published_keys())} key(s) published at /.well-known/did.json."
        )
