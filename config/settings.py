"""Tutela settings: every value comes from the environment (12-factor).

With no environment at all the app runs embedded: SQLite under var/, Celery on
kombu's file-system broker under var/, e-mail to the console. DEBUG defaults to
off; the run command (scripts/run) turns it on for local use only.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
VAR_DIR = Path(env.str("TUTELA_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
# With DEBUG off a missing SECRET_KEY stays empty, and Django raises ImproperlyConfigured
# on first use (config/wsgi.py touches it at start-up, so a web server fails at once).
# Left empty rather than raised here so commands that sign nothing (check, migrate,
# makemigrations) still run in a bare environment.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_htmx",
    "guardian",
    "simple_history",
    "django_celery_beat",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "governance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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
    # Last, as django-axes asks: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "governance.context_processors.signed_in",
            ],
        },
    },
]

# Database: PostgreSQL with DATABASE_URL, otherwise SQLite under var/.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
        "DATABASE_PREPARED_STATEMENTS", default=True
    ):
        # Parameters bound by the server let psycopg prepare a statement a connection runs
        # again (from its 5th run): PostgreSQL then skips planning it, and planning the
        # role and visibility joins every API call makes cost more than running them.
        # Turn it off behind a pooler that cannot keep prepared statements (PgBouncer in
        # transaction mode without max_prepared_statements).
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite creates the file, not its folder
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "tutela.sqlite3",
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers never
                # both read the audit chain head and then fail on upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
# Reused connections: opening one costs more than most API calls' queries (on SQLite the
# PRAGMAs above take a lock each time); the health check replaces a connection that broke.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out logins before checking them
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous sees nothing.

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files need collectstatic first; off for DEBUG and tests.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Login throttling (django-axes): 5 failures for a username or 20 from an address lock
# that username or address for 15 minutes; real and unknown usernames look the same.
# Each parameter is counted on its own and held to its own limit (governance/login_throttle.py).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = 5  # per username
TUTELA_ADDRESS_FAILURE_LIMIT = 20  # per address
AXES_HANDLER = "governance.login_throttle.LoginThrottleHandler"
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
# A locked-out attempt is not counted: the lock ends a cool-off after the failure that set it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "governance.login_throttle.lockout_response"
# Proxies in front of Tutela that append to X-Forwarded-For (0: clients connect directly).
TUTELA_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "governance.login_throttle.client_ip"

# Content-Security-Policy (django-csp): no inline scripts or styles, nothing off-site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# E-mail: console unless an SMTP URL is given.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tutela@localhost")

# Celery: Redis with REDIS_URL, otherwise kombu's file-system transport under var/.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    CELERY_BROKER_URL = "filesystem://"
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"
    for _folder in (_queue_dir, _processed_dir, _control_dir):  # kombu expects them to exist
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(_control_dir),  # kombu's default is ./control
        "store_processed": False,
    }
# The tasks are idempotent (services re-check state under row locks), so a message is
# acknowledged only once its task finished and handed back if the worker dies mid-task.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a long batch never holds others back on one worker
# The longest task: the hard limit kills it, the soft one lets it fail cleanly first.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = max(CELERY_TASK_TIME_LIMIT - 30, 1)
# Seconds before Redis hands an unacknowledged message to another worker: above the hard
# time limit plus the longest retry countdown, or a running task would be delivered twice.
TUTELA_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
TUTELA_TASK_RETRY_BACKOFF_MAX = 300  # seconds; database-error retries back off up to this
if TUTELA_BROKER_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT + TUTELA_TASK_RETRY_BACKOFF_MAX:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT must exceed CELERY_TASK_TIME_LIMIT + "
        f"{TUTELA_TASK_RETRY_BACKOFF_MAX} s (the longest retry countdown)."
    )
# Publishing must fail fast when the broker is down: a web request publishes after its
# commit and must not hang. kombu retries opening the producer's connection within the
# connect timeout and the transport's max_retries; the publish itself retries twice.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_PUBLISH_TIMEOUT", default=1.0)
CELERY_BROKER_TRANSPORT_OPTIONS |= {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "visibility_timeout": TUTELA_BROKER_VISIBILITY_TIMEOUT,
        "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,  # Redis ignores the above
        "socket_timeout": 5,  # a Redis that accepts but stalls must not hang a request either
    }
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# Cache: Redis with REDIS_URL (shared by every web process, so API throttling counts
# across them), otherwise per-process memory.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tutela",
        }
    }

# REST API (governance/api/): tokens or the browser session, problem-details errors.
TUTELA_API_THROTTLE_RATE = env.str("TUTELA_API_THROTTLE_RATE", default="3000/minute")
TUTELA_API_MAX_BODY_BYTES = env.int("TUTELA_API_MAX_BODY_BYTES", default=1024 * 1024)
TUTELA_API_MAX_METRICS_BODY_BYTES = env.int(
    "TUTELA_API_MAX_METRICS_BODY_BYTES", default=4 * 1024 * 1024
)
# Django's own cap stays above the API's, so the API answers 413 with its own message.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(TUTELA_API_MAX_BODY_BYTES, TUTELA_API_MAX_METRICS_BODY_BYTES) + 1
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "governance.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["governance.api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["governance.api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": TUTELA_API_THROTTLE_RATE},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "governance.api.errors.problem_details_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tutela API",
    "DESCRIPTION": (
        "Register model versions and their cards, ask for and decide promotions, push "
        "metrics and deployments, and export the audit trail. Every write goes through the "
        "same governance rules as the review UI. Authenticate with "
        "`Authorization: Bearer <token>` (personal API tokens) or the browser session."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name per choice set of the contract (DESIGN.md), wherever it appears.
    "ENUM_NAME_OVERRIDES": {
        f"{name}Enum": f"governance.models.choices.{name}"
        for name in (
            "Stage",
            "Role",
            "RiskLevel",
            "ApprovalStatus",
            "Decision",
            "Environment",
            "AlertRule",
            "AlertStatus",
            "AuditEventType",
            "ReviewSchedule",
        )
    }
    # The checklist's statuses share the field name "status" with the ones above.
    | {"ComplianceStatusEnum": "governance.compliance.states.Status"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "governance.api.schema.add_problem_responses",
    ],
}

# Governance policy defaults (see DESIGN.md).
TUTELA_GRACE_PERIOD_DAYS = env.int("TUTELA_GRACE_PERIOD_DAYS", default=30)
TUTELA_DEFAULT_MAX_AGE_DAYS = env.int("TUTELA_DEFAULT_MAX_AGE_DAYS", default=90)
TUTELA_DEFAULT_METRIC_FLOOR = {
    "metric": env.str("TUTELA_DEFAULT_FLOOR_METRIC", default="accuracy"),
    "min": env.float("TUTELA_DEFAULT_FLOOR_MIN", default=0.88),
    "days": env.int("TUTELA_DEFAULT_FLOOR_DAYS", default=7),
}
TUTELA_DEFAULT_DRIFT_CEILING = env.float("TUTELA_DEFAULT_DRIFT_CEILING", default=0.3)
TUTELA_SWEEP_BATCH_SIZE = env.int("TUTELA_SWEEP_BATCH_SIZE", default=500)  # ids per task
# Open serious incidents whose reporting deadline (EU AI Act Art. 73) is this many days
# away or less are "due soon": on the dashboard and in the daily reminders.
TUTELA_INCIDENT_DUE_SOON_DAYS = env.int("TUTELA_INCIDENT_DUE_SOON_DAYS", default=2)
if TUTELA_INCIDENT_DUE_SOON_DAYS < 0:
    raise ImproperlyConfigured("TUTELA_INCIDENT_DUE_SOON_DAYS must be 0 or more.")
# Record keeping (EU AI Act Art. 12, 19, 26(6)): the minimum number of days audit events
# are kept. Tutela never deletes them (append-only triggers); this is the promise stated
# in the auditor's bundle. Logs must be kept at least six months, so less is refused.
TUTELA_AUDIT_RETENTION_MIN_DAYS = 183
TUTELA_AUDIT_RETENTION_DAYS = env.int("TUTELA_AUDIT_RETENTION_DAYS", default=3650)
if TUTELA_AUDIT_RETENTION_DAYS < TUTELA_AUDIT_RETENTION_MIN_DAYS:
    raise ImproperlyConfigured(
        f"TUTELA_AUDIT_RETENTION_DAYS must be at least {TUTELA_AUDIT_RETENTION_MIN_DAYS} days "
        f"(six months, EU AI Act Art. 19 and 26(6)); it is {TUTELA_AUDIT_RETENTION_DAYS}."
    )
# Retirement engine notifications: e-mails link to the model page under this address.
TUTELA_BASE_URL = env.str("TUTELA_BASE_URL", default="http://127.0.0.1:8000")

# Production hardening: on whenever DEBUG is off (check --deploy stays silent).
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    if TUTELA_TRUSTED_PROXY_COUNT:  # only a proxy we trust may say the request was HTTPS
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # PDF documents (WeasyPrint): a line per layout step and per font subset is noise.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint.progress", "fontTools")},
}
