"""Production mode: no start without a real key, and `check --deploy` stays silent."""

from tests.support.production import PRODUCTION, manage


def test_production_refuses_to_start_without_secret_key():
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="skillproof.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_development_key():
    result = manage(
        "check",
        DEBUG="0",
        ALLOWED_HOSTS="skillproof.example",
        SECRET_KEY="django-insecure-" + "a1b2c3" * 10,
    )
    assert result.returncode != 0
    assert "too weak" in result.stderr


def test_check_deploy_is_silent_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
