"""Create an API key; the key is printed once, alone on the last line."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apikeys.exceptions import InvalidKeyRequest
from apikeys.models import Scope
from apikeys.services import create_api_key


class Command(BaseCommand):
    help = "Create an integration API key. Only its hash is stored: copy the key now."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Which integration uses the key.")
        parser.add_argument(
            "--scopes", required=True, help=f"Comma-separated: {', '.join(Scope.values)}."
        )
        parser.add_argument("--expires-days", type=int, help="Lifetime in days (default: none).")
        parser.add_argument(
            "--owner",
            help="Username of the staff user the key acts for (it sees what they see). "
            "Default: the only active superuser.",
        )

    def handle(self, *args, name, scopes, expires_days, owner, **options):
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days must be at least 1.")
        try:
            api_key, key = create_api_key(
                name=name,
                owner=self._owner(owner),
                scopes=scopes,
                expires_in=timedelta(days=expires_days) if expires_days else None,
            )
        except InvalidKeyRequest as error:
            raise CommandError(str(error)) from error
        expiry = (
            f"expires {api_key.expires_at:%Y-%m-%d %H:%M} UTC"
            if api_key.expires_at
            else ("does not expire")
        )
        self.stdout.write(
            f"API key {api_key.name!r} for {api_key.owner.get_username()}: scopes "
            f"{', '.join(api_key.scopes)}; {expiry}. Shown once; store it now:"
        )
        self.stdout.write(key)

    def _owner(self, username: str | None):
        users = get_user_model().objects.filter(is_active=True, is_staff=True)
        if username:
            owner = users.filter(username=username).first()
            if owner is None:
                raise CommandError(f"No active staff user {username!r}.")
            return owner
        superusers = list(users.filter(is_superuser=True)[:2])
        if len(superusers) != 1:
            raise CommandError("Name the staff user the key acts for with --owner USERNAME.")
        return superusers[0]
