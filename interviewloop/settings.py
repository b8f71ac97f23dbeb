"""interviewloop settings: one module, driven by the environment.

Every variable is listed in `.env.example`. The defaults are the embedded stack (SQLite, Celery on
kombu's filesystem transport, console email) so that `make run` needs nothing installed; setting
`DATABASE_URL`, `CELERY_BROKER_URL`, `EMAIL_URL` switches to the production stack. A malformed value
fails at start-up rather than being silently ignored.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # the embedded stack's files: SQLite, the filesystem broker
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
_INSECURE_DEV_KEY = "insecure-dev-key-only-for-debug-and-tests"
SECRET_KEY = env.str("SECRET_KEY", default=_INSECURE_DEV_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # FORM_RENDERER below finds widget templates (templates/admin/widgets/) through TEMPLATES
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",  # question bank filters (GET /api/questions/)
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "interviewloop",
    "scorecards",
    "debriefs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything looks a header or cookie up: one with a NUL is refused or dropped (issue 15).
    "interviewloop.middleware.UnstorableInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

# --- Database outages --------------------------------------------------------------------------------
# A request that cannot reach the database answers 503 + Retry-After (JSON `database_unavailable` under /api/,
# a plain page elsewhere), not a 500; real SQL errors stay 500. Early, so its 503 still gets the security headers
# and is outside every middleware that may touch the database. Recovery: CONN_HEALTH_CHECKS below.
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
    "interviewloop.database_unavailable.DatabaseUnavailableMiddleware",
)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "interviewloop.sso.PasswordLoginSwitch",  # PASSWORD_LOGIN_ENABLED=0: refuses passwords before ModelBackend
    "django.contrib.auth.backends.ModelBackend",
    "interviewloop.sso.OIDCBackend",  # single sign-on; inert without OIDC_RP_CLIENT_ID (see the block below)
]

ROOT_URLCONF = "interviewloop.urls"
WSGI_APPLICATION = "interviewloop.wsgi.application"

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

# Widgets render through TEMPLATES, so the project's templates/ may override one (the admin's split date and time,
# given real labels for axe-core).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'interviewloop.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file in `make run`: wait for a lock rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Prepared statements: with server-side binding psycopg prepares a query once it has run
    # DATABASE_PREPARE_THRESHOLD times on a connection, and PostgreSQL reuses its plan. The debrief's and the
    # lists' joins cost several times more to plan than to run. Set 0 behind a transaction-pooling PgBouncer.
    _prepare_threshold = env.int("DATABASE_PREPARE_THRESHOLD", default=2)
    if _prepare_threshold > 0:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": _prepare_threshold}
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
_STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG)
# Without a collected manifest (tests, `make run`, the benchmark) whitenoise serves straight from the sources.
WHITENOISE_USE_FINDERS = not _STATIC_MANIFEST
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # The manifest needs `collectstatic` first (the Dockerfile runs it); tests and `make run` serve as-is.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email ---------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="interviewloop <noreply@interviewloop.local>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- The guide's clocks (fractions allowed so a demo or a test runs a cycle in seconds) ----------
NOTE_WINDOW_MINUTES = env.float("NOTE_WINDOW_MINUTES", default=5.0)
SCORECARD_DUE_HOURS = env.float("SCORECARD_DUE_HOURS", default=24.0)
SCORECARD_REMINDERS_MAX = env.int("SCORECARD_REMINDERS_MAX", default=3)
REMINDER_DISPATCH_SECONDS = env.float("REMINDER_DISPATCH_SECONDS", default=5.0)
DEBRIEF_MEETING_LEAD_MINUTES = env.float("DEBRIEF_MEETING_LEAD_MINUTES", default=30.0)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
# How long a dispatcher owns a claimed reminder: longer than one send (EMAIL_TIMEOUT). A worker killed
# mid-send leaves that row (in doubt) and the ones it had not reached to the next dispatcher once this passes.
REMINDER_CLAIM_SECONDS = env.float("REMINDER_CLAIM_SECONDS", default=max(60.0, 3.0 * EMAIL_TIMEOUT))
# How many SMTP connections one dispatcher run sends over at once (each on its own thread): a mail server's
# round trips then overlap instead of adding up.
REMINDER_SEND_CONNECTIONS = env.int("REMINDER_SEND_CONNECTIONS", default=4)
if REMINDER_SEND_CONNECTIONS < 1:
    raise ImproperlyConfigured("REMINDER_SEND_CONNECTIONS must be at least 1.")
# Slack (debriefs.slack): with a bot token, reminders also go as direct messages to the users who chose Slack on
# their profile (users.lookupByEmail, then chat.postMessage); empty: Slack is off and everyone gets email. The token
# is a secret: read here, sent only in the Authorization header, never logged or shown.
SLACK_BOT_TOKEN = env.str("SLACK_BOT_TOKEN", default="").strip()
SLACK_API_URL = env.str("SLACK_API_URL", default="https://slack.com/api/")
if not SLACK_API_URL.endswith("/"):
    SLACK_API_URL += "/"
SLACK_TIMEOUT_SECONDS = env.int("SLACK_TIMEOUT_SECONDS", default=10)
if SLACK_TIMEOUT_SECONDS < 1:
    raise ImproperlyConfigured("SLACK_TIMEOUT_SECONDS must be at least 1.")
# Calibration (/api/analytics/interviewers/): how long computed rows are kept in the cache. They are computed again
# as soon as a scorecard, an interview's counting or a recorded outcome changes (debriefs.calibration_selectors);
# 0 computes them on every read.
ANALYTICS_CACHE_SECONDS = env.int("ANALYTICS_CACHE_SECONDS", default=3600)
if ANALYTICS_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("ANALYTICS_CACHE_SECONDS must not be negative.")
for _name in (
    "NOTE_WINDOW_MINUTES",
    "SCORECARD_DUE_HOURS",
    "REMINDER_DISPATCH_SECONDS",
    "DEBRIEF_MEETING_LEAD_MINUTES",
    "REMINDER_CLAIM_SECONDS",
):
    if vars()[_name] < 0:
        raise ImproperlyConfigured(f"{_name} must not be negative.")

# --- Celery --------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # CELERY_BROKER_FOLDER: a second embedded stack (a demo beside `make run`) gets its own queue.
    _queue_dir = Path(env.str("CELERY_BROKER_FOLDER", default=str(VAR_DIR / "broker")))
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir.parent / f"{_queue_dir.name}-processed"),
        "store_processed": False,
        # The broadcast exchange table (worker control); kombu's default is ./control in the working directory.
        "control_folder": str(_queue_dir.parent / f"{_queue_dir.name}-control"),
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # No acknowledgement emulation: a message leaves Redis when the worker takes it, so there is nothing
    # "unacknowledged" for kombu to restore when the connection drops. Its restore path (redis QoS.restore_unacked,
    # run from Channel.close) rebuilds a connection pool from the transport's kombu Connection, which the
    # consumer's Connection.collect() has already detached on a connection loss: AttributeError("'NoneType' object
    # has no attribute 'hostname'"), which is no connection error, so the worker stopped consuming ("Unrecoverable
    # error") and exited whenever the broker died while it held an unacknowledged message and was waiting on Redis
    # for more: the running task's under late acks, or, under early acks too, one taken and waiting for a free
    # pool process (tests/debriefs/test_worker_faults.py has both).
    # Nothing is lost by it: the tasks take no arguments and the outbox rows are the record (a worker killed
    # mid-run leaves its unsent rows leased, and the next run after REMINDER_CLAIM_SECONDS sends them; beat sends a
    # new run every REMINDER_DISPATCH_SECONDS), so a message lost with a worker or a broker costs nothing.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"ack_emulation": False}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker outage of any length is waited out, never a reason for the worker to exit (Celery's default gives up
# after 100 tries).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_ALWAYS_EAGER = False  # never silently inline: a missing broker must show, not hide.
# Acknowledged as it starts (not late): the message is only a nudge to read the outbox, and late acks buy nothing
# when the outbox row, not the message, is what says a reminder is still owed.
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True  # only ever applies to late-ack tasks: none
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Webhooks (debriefs.webhooks): a 2xx within WEBHOOK_TIMEOUT_SECONDS is delivery; failures are retried with
# backoff (30 s doubling to 1 h) for WEBHOOK_RETRY_HOURS (at least 12); WEBHOOK_BATCH rows are claimed at a time.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_RETRY_HOURS = env.float("WEBHOOK_RETRY_HOURS", default=24.0)
WEBHOOK_BATCH = env.int("WEBHOOK_BATCH", default=10)
WEBHOOK_DISPATCH_SECONDS = env.float("WEBHOOK_DISPATCH_SECONDS", default=REMINDER_DISPATCH_SECONDS)
if WEBHOOK_RETRY_HOURS < 12:
    raise ImproperlyConfigured("WEBHOOK_RETRY_HOURS must be at least 12: receivers are promised 12 hours of retries.")
CELERY_BEAT_SCHEDULE = {
    "dispatch-webhooks": {
        "task": "debriefs.tasks.dispatch_webhooks",
        "schedule": WEBHOOK_DISPATCH_SECONDS,
        "options": {"expires": max(WEBHOOK_DISPATCH_SECONDS, 1.0)},
    },
    "dispatch-reminders": {
        "task": "debriefs.tasks.dispatch_reminders",
        "schedule": REMINDER_DISPATCH_SECONDS,
        "options": {"expires": max(REMINDER_DISPATCH_SECONDS, 1.0)},
    },
    "sweep-ended-interviews": {
        "task": "debriefs.tasks.sweep_ended_interviews",
        "schedule": max(REMINDER_DISPATCH_SECONDS, 1.0),
        "options": {"expires": max(REMINDER_DISPATCH_SECONDS, 1.0)},
    },
}
# How long /api/health/ trusts its last broker probe, and how long one probe may take.
HEALTH_BROKER_CACHE_SECONDS = env.float("HEALTH_BROKER_CACHE_SECONDS", default=5.0)
HEALTH_BROKER_TIMEOUT_SECONDS = env.float("HEALTH_BROKER_TIMEOUT_SECONDS", default=0.5)

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://interviewloop")}

# --- REST framework ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes an anonymous call a 401, not a 403.
        "interviewloop.api.authentication.TokenAuthentication",  # django-rest-knox's, see the Trust block
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "interviewloop.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": env.str("TOKEN_THROTTLE_RATE", default="20/min")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "interviewloop API",
    "DESCRIPTION": "Interviewer scoring and debrief service: notes, scorecards, and the debrief under One No = No Hire.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name per choice set that several fields share (votes, gut answers, statuses).
    "ENUM_NAME_OVERRIDES": {
        "VoteEnum": "scorecards.rules.VOTES",
        "GutAnswerEnum": "scorecards.rules.GUT_ANSWERS",
        "SignalEnum": "scorecards.rules.SIGNALS",
        "NoteStatusEnum": "scorecards.rules.NOTE_STATUSES",
        "ScorecardStatusEnum": "scorecards.serializers.SCORECARD_STATUSES",
        "RubricStatusEnum": "scorecards.models.Rubric.Status",
        "DecisionEnum": "interviewloop.models.Decision",
    },
}

# --- Security ------------------------------------------------------------------------------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes_lockout.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^api/health/$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# --- Trust: proxies, sign-in throttles, API tokens, the HTTPS header --------------------------------------
# How many reverse proxies stand in front of the web process, each appending to X-Forwarded-For. 0 (the
# default): REMOTE_ADDR is the client and X-Forwarded-For, which any client can write, is ignored. The one
# setting feeds DRF's throttles (NUM_PROXIES) and django-axes (the same client_ip function).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must not be negative.")
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
AXES_CLIENT_IP_CALLABLE = "interviewloop.throttling.client_ip"
# Sign-in attempts per client address on the HTML form (the token endpoint has TOKEN_THROTTLE_RATE). The
# counts live in the cache; while it is down both throttles let sign-ins through (axes still locks accounts).
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"] = env.str("LOGIN_THROTTLE_RATE", default="20/min")  # type: ignore[index]
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that stops answering costs a sign-in this long, not a hung worker.
    _cache_timeout = env.float("CACHE_SOCKET_TIMEOUT_SECONDS", default=1.0)
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": _cache_timeout, "socket_timeout": _cache_timeout}
    )
# Trust X-Forwarded-Proto (or another header) for "is this HTTPS?" only behind a proxy that always sets it:
# e.g. SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO. Unset (the default), a client cannot claim HTTPS.
_secure_proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="")
SECURE_PROXY_SSL_HEADER = (_secure_proxy_ssl_header, "https") if _secure_proxy_ssl_header else None
if _secure_proxy_ssl_header and not _secure_proxy_ssl_header.startswith("HTTP_"):
    raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must name a request.META key, e.g. HTTP_X_FORWARDED_PROTO.")
# API tokens (django-rest-knox): `POST /api/auth/token/` issues one, stored as a SHA-512 digest, valid for
# API_TOKEN_TTL_HOURS (default 10 days; sign in again for a new one); `DELETE /api/auth/token/` revokes the
# token presented, `DELETE /api/auth/tokens/` all of the caller's. Sent as `Authorization: Token <token>`.
API_TOKEN_TTL_HOURS = env.float("API_TOKEN_TTL_HOURS", default=240.0)
if API_TOKEN_TTL_HOURS <= 0:
    raise ImproperlyConfigured("API_TOKEN_TTL_HOURS must be positive: every API token expires.")
KNOX_TOKEN_MODEL = "interviewloop.ApiToken"
# knox's own migrations create its AuthToken table even when KNOX_TOKEN_MODEL replaces the model (they do not
# mark it swappable): they are not run, so the only token table is ApiToken's (interviewloop's migrations).
MIGRATION_MODULES = {"knox": None}
# The API docs (/api/docs/): Swagger UI from drf-spectacular-sidecar's static files, not a CDN the CSP forbids.
# No online validator: its badge is an image from another site.
SPECTACULAR_SETTINGS.update(
    {
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
        "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
    }
)
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,  # a token's life is fixed when it is issued: a stolen one cannot be kept alive
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Bad input (issue 15): body size, JSON depth, path ids -------------------------------------------
# The largest request body Django reads (bytes): over it the API answers 413 `body_too_large`, a page 413.
# The roomiest scorecard (every text at its cap, interviewloop.inputs.TEXT_LIMITS) fits well within it.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1_000_000)
# How deep a JSON body may nest objects and arrays (the contract's deepest body is 3): deeper is a 400.
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)
if API_JSON_MAX_DEPTH < 4:
    raise ImproperlyConfigured("API_JSON_MAX_DEPTH must be at least 4: the scorecard body nests 3 deep.")
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "interviewloop.api.parsers.JSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]
# `<id:...>` (interviewloop.converters) is a 64-bit id: the schema says so, so clients and fuzzers know.
SPECTACULAR_SETTINGS["PATH_CONVERTER_OVERRIDES"] = {"id": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}}

# --- Time zones (issue 18): each user reads times in their own zone --------------------------------------------
# A user's zone (interviewloop.profiles.Profile; default TIME_ZONE) is kept in their session at sign-in; this
# middleware activates it for every page, so templates show and forms read times in it. Not for /api/, which stays
# in TIME_ZONE (ISO 8601 with offsets). After authentication, which a session without the zone falls back on.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "interviewloop.profiles.TimeZoneMiddleware",
)
# `time_zone` in every template: the zone the page's times are in ("Times in Europe/Paris").
TEMPLATES[0]["OPTIONS"]["context_processors"].append("interviewloop.profiles.current_time_zone")  # type: ignore[index]

# --- Single sign-on (issue 19): OpenID Connect through mozilla-django-oidc (interviewloop.sso) ---------------------
# On when OIDC_RP_CLIENT_ID is set; then the provider's four endpoints are required. Users are matched by verified
# email; roles come from the OIDC_GROUPS_CLAIM claim through the OIDC_*_GROUPS lists (an empty list: that role is
# left as admins set it). PASSWORD_LOGIN_ENABLED=0 leaves single sign-on the only way in.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="single sign-on")  # "Sign in with <name>"
OIDC_CREATE_USER = env.bool("OIDC_CREATE_USER", default=False)  # an unknown verified email gets an account
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_INTERVIEWER_GROUPS = env.list("OIDC_INTERVIEWER_GROUPS", default=[])
OIDC_RECRUITER_GROUPS = env.list("OIDC_RECRUITER_GROUPS", default=[])
OIDC_STAFF_GROUPS = env.list("OIDC_STAFF_GROUPS", default=[])
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT_SECONDS", default=10.0)  # each call to the provider, not a hung worker
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = False
PASSWORD_LOGIN_ENABLED = env.bool("PASSWORD_LOGIN_ENABLED", default=True)
if OIDC_RP_CLIENT_ID:
    _oidc_required = {
        "OIDC_RP_CLIENT_SECRET": OIDC_RP_CLIENT_SECRET,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": OIDC_OP_AUTHORIZATION_ENDPOINT,
        "OIDC_OP_TOKEN_ENDPOINT": OIDC_OP_TOKEN_ENDPOINT,
        "OIDC_OP_USER_ENDPOINT": OIDC_OP_USER_ENDPOINT,
        "OIDC_OP_JWKS_ENDPOINT": OIDC_OP_JWKS_ENDPOINT,
    }
    _missing = [name for name, value in _oidc_required.items() if not value]
    if _missing:
        raise ImproperlyConfigured(f"OIDC_RP_CLIENT_ID is set, so {', '.join(_missing)} must be set too.")
elif not PASSWORD_LOGIN_ENABLED:
    raise ImproperlyConfigured(
        "PASSWORD_LOGIN_ENABLED=0 needs single sign-on (OIDC_RP_CLIENT_ID): nobody could sign in."
    )
