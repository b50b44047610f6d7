"""Skillproof settings, read from the environment with safe development defaults.

DEBUG=1 (the default) is development: a SQLite file, an insecure key, and the Redis of REDIS_URL,
else an embedded filesystem broker (`make run` looks for a local Redis once and passes its choice
to every process). DEBUG=0 is production: SECRET_KEY and ALLOWED_HOSTS are required and the
security middleware is fully on. Reading these settings touches no network and no disk.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from hiring.env import env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SKILLPROOF_DATA_DIR", BASE_DIR / "var"))

DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "django-insecure-development-only-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0 (production mode).")
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (
    SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5 or len(SECRET_KEY) < 50
):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use at least 50 random characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG=0 (production mode).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The public base URL of this deployment: credential ids, share links and emails use it.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI and Redoc served from static files, for /api/docs/ (nothing from a CDN).
    "drf_spectacular_sidecar",
    # Staff sign-in: lockout (django-axes, whose failed-login receiver must run before
    # compliance's) and a TOTP second factor (django-otp; staff holds its pages).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # The audit log: the ground floor every other app records to.
    "audit",
    # Background work as rows (scoring, issuance, email…): one outbox, one sweeper.
    "outbox",
    # The integration API's keys and plumbing, and signed webhooks: ground floor too, so every
    # app may emit events and expose endpoints (each app's api.py).
    "apikeys",
    "webhooks",
    "staff",
    "compliance",
    "assessments",
    "scoring",
    "credentials",
    "results",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (see the security section).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads the whole form: an oversized body is refused unread.
    "web.request_size.RequestBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Tells whether this session entered an authenticator code; until then staff see no page.
    "django_otp.middleware.OTPMiddleware",
    "staff.middleware.SecondFactorRequiredMiddleware",
    # Names the staff user behind role changes in the audit chain (else "system").
    "audit.context.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: answers a sign-in refused by the lockout.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hiring.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "hiring.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'skillproof.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default is shared by web, worker and beat. A write transaction takes the
    # lock when it begins (not mid-way, where SQLite fails at once), and waits for it.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"

LOGIN_URL = "admin:login"

# Development prints emails on the console. Production must name its backend: on the console,
# invitation and sign-in links would land in the logs instead of the candidates' inboxes.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "")
if not EMAIL_BACKEND:
    if not DEBUG:
        raise ImproperlyConfigured(
            "EMAIL_BACKEND must be set when DEBUG=0 (production mode), e.g. "
            "django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST, EMAIL_PORT, "
            "EMAIL_HOST_USER and EMAIL_HOST_PASSWORD; set it to "
            "django.core.mail.backends.console.EmailBackend only if you mean to print emails."
        )
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
# Seconds an SMTP server may take to answer: a hung server fails the send (and the outbox
# retries it) instead of holding a worker and the email's row until the task's time limit.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Skillproof <no-reply@localhost>")

# --- Security (production mode turns everything on; `check --deploy` stays silent) ---
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Pages load only this site's own files: scripts and styles come from static files (no inline
# <script>, <style> or style="" anywhere), so injected markup cannot run or restyle anything.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# No page needs a device or sensor: deny them all to this site and to anything it could embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # A health check from the load balancer arrives over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Celery: JSON only, late acks, one message at a time, bounded tasks ---
# The broker and the shared cache use REDIS_URL. Never probed here: web, worker and beat read
# the same environment, so they cannot pick different brokers (`make run` chooses once).
REDIS_URL = os.environ.get("REDIS_URL") or None
# With no Redis, kombu's filesystem transport is a real broker (a worker process consumes from a
# folder), so `make run` works without Redis and without eager mode. CELERY_BROKER_URL
# overrides the choice: RabbitMQ, or "filesystem://" for the embedded broker.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    # Created by the Celery app on first use (hiring/celery.py), not here.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(DATA_DIR / "broker"),
        "data_folder_out": str(DATA_DIR / "broker"),
        "control_folder": str(DATA_DIR / "broker-control"),
    }
else:
    # Must stay above every countdown and retry delay: an unacknowledged message is
    # redelivered after this long (acks_late).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 150)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A queue per workload, so a slow kind of work never delays another: a burst of credential
# issuance or a model training does not hold up candidates' scores, and the maintenance queue
# (sweepers, expiry, retention, the audit sequencer) stays short enough to run every second.
# A worker started without -Q consumes all of them (`make run`, the tests); docker-compose.yml
# runs a worker per group, and adding workers for one group scales that workload alone.
WORKLOAD_QUEUES = ("scoring", "issuance", "email", "webhooks", "reports", "maintenance")
# Each queue on its own exchange and key: a shared binding would copy a message to every queue.
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in WORKLOAD_QUEUES]
CELERY_TASK_ROUTES = {
    "scoring.tasks.score_attempt": {"queue": "scoring"},
    "credentials.tasks.issue_credentials": {"queue": "issuance"},
    # Write the issuance jobs of new passes: after each scored attempt, and on beat.
    "credentials.tasks.request_issuance_for_run": {"queue": "issuance"},
    "credentials.tasks.request_issuance_for_passes": {"queue": "issuance"},
    "results.tasks.send_results_digests": {"queue": "email"},
    "outbox.tasks.send_email": {"queue": "email"},
    # A slow or failing receiver delays only other webhook deliveries.
    "webhooks.tasks.deliver_webhook": {"queue": "webhooks"},
    # Batch work staff start, minutes long: never ahead of a candidate's score.
    "scoring.tasks.train_text_models": {"queue": "reports"},
    "assessments.tasks.import_invitations": {"queue": "reports"},
    "compliance.tasks.build_records_package": {"queue": "reports"},
    # Retraining after reviews: seconds of CPU, so not on the scoring queue either.
    "scoring.tasks.retrain_text_model": {"queue": "reports"},
    "outbox.tasks.sweep_outboxes": {"queue": "maintenance"},
    "assessments.tasks.submit_expired_attempts": {"queue": "maintenance"},
    "compliance.tasks.erase_expired_personal_data": {"queue": "maintenance"},
    "apikeys.tasks.forget_old_idempotent_responses": {"queue": "maintenance"},
    "audit.tasks.*": {"queue": "maintenance"},
}
# A task nobody routed still runs somewhere (and tests/pipeline/test_queues.py names it).
CELERY_TASK_DEFAULT_QUEUE = "maintenance"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # The one sweeper: every kind of outbox job (scoring, issuance, email…) left pending.
    "sweep-outboxes": {
        "task": "outbox.tasks.sweep_outboxes",
        "schedule": timedelta(seconds=env_int("SWEEP_INTERVAL_SECONDS", 30)),
    },
    "submit-expired-attempts": {
        "task": "assessments.tasks.submit_expired_attempts",
        "schedule": timedelta(seconds=env_int("EXPIRY_INTERVAL_SECONDS", 30)),
    },
    "request-issuance-for-passes": {
        "task": "credentials.tasks.request_issuance_for_passes",
        "schedule": timedelta(seconds=env_int("ISSUANCE_SWEEP_SECONDS", 10)),
    },
    # Appends committed audit events to the log and signs its tree head: events stay pending
    # for about this long (a no-op when nothing is pending or another sequencer runs).
    "sequence-audit-log": {
        "task": "audit.tasks.sequence_audit_log",
        "schedule": timedelta(seconds=env_int("AUDIT_SEQUENCER_INTERVAL_SECONDS", 1)),
        # While no worker runs, the next second's message does the same work: drop stale ones.
        "options": {"expires": 10},
    },
    "forget-old-idempotent-responses": {
        "task": "apikeys.tasks.forget_old_idempotent_responses",
        "schedule": timedelta(hours=1),
    },
    "erase-expired-personal-data": {
        "task": "compliance.tasks.erase_expired_personal_data",
        "schedule": timedelta(seconds=env_int("RETENTION_INTERVAL_SECONDS", 86400)),
    },
    # Only staff who switched the digest on (on /results/) receive it.
    "results-digest": {
        "task": "results.tasks.send_results_digests",
        "schedule": timedelta(seconds=env_int("RESULTS_DIGEST_INTERVAL_SECONDS", 86400)),
    },
}

# An outbox row still pending after this long is enqueued again by the sweeper (a retry's row
# is due when its retry is: outbox/retry.py holds the one retry policy of every outbox task).
OUTBOX_STALE_SECONDS = env_int("OUTBOX_STALE_SECONDS", 60)

# --- Abuse limits that hold across processes ---
# Throttle counters live in one cache every web process shares: the Redis above, else a
# database table (`manage.py createcachetable`, which `make run` runs after `migrate`).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "skillproof",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "skillproof_cache",
        }
    }
# How many reverse proxies of ours stand in front of the app, each appending to
# X-Forwarded-For: 0 keys clients on REMOTE_ADDR alone (see web/clients.py).
NUM_PROXIES = env_int("NUM_PROXIES", 0)
# Request bodies: a view may accept less (web/request_size.py); a bigger body is refused from
# its Content-Length, unread. Form fields may hold at most DATA_UPLOAD_MAX_MEMORY_SIZE; an upload
# above FILE_UPLOAD_MAX_MEMORY_SIZE is written to a temporary file instead of kept in memory.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)

# --- Product settings ---
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 14)
DATA_RETENTION_DAYS = env_int("DATA_RETENTION_DAYS", 365)
# Notices to candidates (assessments.notices). Each assessment names the jurisdictions whose
# rules apply; an invitation can only be started once the longest notice period has run, in
# business days (weekdays that are not NOTICE_HOLIDAYS). Edit or extend the table per deployment.
NOTICE_JURISDICTIONS = {
    "nyc": {
        "name": "New York City (Local Law 144, 6 RCNY § 5-303)",
        "notice_business_days": env_int("NOTICE_NYC_BUSINESS_DAYS", 10),
    },
    "illinois": {"name": "Illinois (Human Rights Act, HB 3773)", "notice_business_days": 0},
    "colorado": {"name": "Colorado (SB 26-189)", "notice_business_days": 0},
    "eu": {"name": "European Union (AI Act, Art. 26(11))", "notice_business_days": 0},
}
# ISO dates (YYYY-MM-DD) that are not business days; Saturday and Sunday never are.
NOTICE_HOLIDAYS = env_list("NOTICE_HOLIDAYS", [])
# Days the hiring team has to answer an accommodation, explanation or correction request.
REQUEST_RESPONSE_DAYS = env_int("REQUEST_RESPONSE_DAYS", 30)

# Scoring: a text model scores a criterion only with enough exemplars, and alone only the answers
# it reads confidently enough that, in cross-validation, it agreed with people at this QWK
# (selective automation; 0.85 is close to two people's agreement). It replaces the single QWK
# bar a whole model had to pass (TEXT_MODEL_QWK_BAR), which no longer means anything.
TEXT_AUTO_TARGET_QWK = float(os.environ.get("TEXT_AUTO_TARGET_QWK", "0.85"))
TEXT_MODEL_MIN_EXEMPLARS = env_int("TEXT_MODEL_MIN_EXEMPLARS", 30)
# Simulated candidates answer with one exemplar in this many per level (models train on all).
TEXT_MODEL_HOLD_BACK_EVERY = env_int("TEXT_MODEL_HOLD_BACK_EVERY", 5)
# Reviews teach the models: a criterion is retrained once this many new reviewers' labels have
# gathered (20: enough to move cross-validation, few enough to learn within a day of reviews).
TEXT_RETRAIN_AFTER_LABELS = env_int("TEXT_RETRAIN_AFTER_LABELS", 20)
# The share of confident model scores a person reviews anyway (quality control): agreement is
# then measured on real answers, not only on cross-validation.
TEXT_QC_SAMPLE_RATE = float(os.environ.get("TEXT_QC_SAMPLE_RATE", "0.05"))

# Credentials: issuer keys live in files (or ISSUER_SECRET_KEY), never in database columns.
ISSUER_KEY_DIR = Path(os.environ.get("ISSUER_KEY_DIR", DATA_DIR / "keys"))
ISSUER_NAME = os.environ.get("ISSUER_NAME", "Skillproof")

# --- Staff accounts ---
AUTHENTICATION_BACKENDS = [
    # Refuses a sign-in while its account is locked for the client's address.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After LOGIN_FAILURE_LIMIT failed sign-ins in a row to one account from one address, that
# account is locked for that address (the right password is refused too) for
# LOGIN_LOCKOUT_MINUTES; `manage.py axes_reset_username NAME` lifts a lock early.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "web.clients.client_address"
AXES_LOCKOUT_CALLABLE = "staff.views.locked_out"
AXES_VERBOSE = False  # no banner on every manage.py command
# Every staff sign-in also needs a code from an authenticator app (TOTP). On by default in
# production; in development only for staff who set up an authenticator.
STAFF_REQUIRE_2FA = env_bool("STAFF_REQUIRE_2FA", not DEBUG)
# The name staff see for this deployment in their authenticator app.
OTP_TOTP_ISSUER = ISSUER_NAME
# Credentials "verified" besides our own: other issuers' DIDs (did:key; keys are never fetched).
# Never a name: anyone can write any issuer name into a credential they sign.
VERIFY_TRUSTED_ISSUERS = env_list("VERIFY_TRUSTED_ISSUERS", [])

# Bias audits: a cell with fewer people than this shows "fewer than N" instead of its numbers,
# and a report over fewer candidates than the minimum population is refused, so that no
# figure points at individual people.
BIAS_AUDIT_MIN_CELL = env_int("BIAS_AUDIT_MIN_CELL", 5)
BIAS_AUDIT_MIN_POPULATION = env_int("BIAS_AUDIT_MIN_POPULATION", 20)

# Compliance: the audit chain's head is signed and appended to a file outside the database.
# In production point it at storage the database user cannot rewrite (append-only mount).
AUDIT_ANCHOR_FILE = Path(os.environ.get("AUDIT_ANCHOR_FILE", DATA_DIR / "audit-anchors.jsonl"))
AUDIT_SIGNING_KEY_FILE = Path(
    os.environ.get("AUDIT_SIGNING_KEY_FILE", DATA_DIR / "audit-signing-key.pem")
)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's own client address agrees with web.clients.client_address.
    "NUM_PROXIES": NUM_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Skillproof API",
    "VERSION": "1.0.0",
    "DESCRIPTION": "Invite candidates, read results and manage credentials from an applicant "
    "tracking system; receive signed webhooks (Standard Webhooks). Authenticate with "
    "`Authorization: Bearer <key>`. See docs/api.md.",
    # /api/docs/ loads Swagger UI from drf-spectacular-sidecar's static files, never a CDN.
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "InvitationStatusEnum": "assessments.api.InvitationStatus",
        "AttemptStatusEnum": "results.selectors.Status",
    },
}

# --- Integration API and webhooks ---
# Requests per minute per API key (a key may have its own rate, set in the admin).
API_KEY_RATE_PER_MINUTE = env_int("API_KEY_RATE_PER_MINUTE", 600)
# Webhook delivery targets: http(s) only; loopback, link-local and private addresses are
# refused unless this is on (development and tests, whose receivers run on 127.0.0.1).
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", DEBUG)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5)
WEBHOOK_MAX_RESPONSE_BYTES = env_int("WEBHOOK_MAX_RESPONSE_BYTES", 64 * 1024)
# Retries back off exponentially from this many seconds, for about a day in all; a
# subscription whose deliveries fail this many times in a row is disabled and its owner told.
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30)
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 15)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The request lines these loggers write may carry a candidate, LER or share link's token.
    "filters": {"redact_tokens": {"()": "hiring.logging.RedactTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["redact_tokens"]},
        # runserver's access log; a logger given filters here loses Django's own handler.
        "django.server": {
            "handlers": ["console"],
            "filters": ["redact_tokens"],
            "propagate": False,
        },
    },
}
