"""Settings for every shape of the shop, read from the environment (django-environ).

Two shapes:
- development (the default): SQLite file in var/, Celery on kombu's filesystem transport, console
  email, the bundled PhonePe sandbox switched on. Nothing to install but Python.
- production (DJANGO_ENV=production): every secret and every shared service must come from the
  environment (start-up stops and names each missing variable); PhonePe defaults to its live
  API; the sandbox is off (and refuses to run against live PhonePe); HTTPS, secure cookies and
  security headers are on. README "Running in production" lists the variables.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
IS_PRODUCTION = DJANGO_ENV == "production"

if not IS_PRODUCTION:
    VAR_DIR.mkdir(exist_ok=True)

# Production refuses to start on a default that would quietly do the wrong thing (a generated
# key, SQLite, the file broker, console email, localhost links, the sandbox's credentials).
PHONEPE_ENV = env.str("PHONEPE_ENV", default="production" if IS_PRODUCTION else "sandbox")
REQUIRED_IN_PRODUCTION = [
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "INVOICE_SELLER_NAME",
    "INVOICE_SELLER_ADDRESS",
    "INVOICE_SELLER_GSTIN",
    "INVOICE_SELLER_STATE",
    "INVOICE_FILES_ROOT",
]
if PHONEPE_ENV == "production":
    REQUIRED_IN_PRODUCTION += [
        "PHONEPE_CLIENT_ID",
        "PHONEPE_CLIENT_SECRET",
        "PHONEPE_CLIENT_VERSION",
        "PHONEPE_WEBHOOK_USERNAME",
        "PHONEPE_WEBHOOK_PASSWORD",
    ]
_missing = [name for name in REQUIRED_IN_PRODUCTION if not os.environ.get(name, "").strip()]
if IS_PRODUCTION and _missing:
    raise ImproperlyConfigured(
        "DJANGO_ENV=production cannot start without these settings. "
        + " ".join(f"Set the {name} environment variable." for name in _missing)
    )


def _development_secret_key() -> str:
    """A per-checkout key kept in var/ (never committed), so sessions survive restarts."""
    key_file = VAR_DIR / "secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if IS_PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _development_secret_key()

DEBUG = env.bool("DJANGO_DEBUG", default=not IS_PRODUCTION)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["127.0.0.1", "localhost"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The shop's public origin, used where no request is at hand (links in emails).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SHOP_NAME = env.str("SHOP_NAME", default="Loom & Leaf")
SHOP_SUPPORT_EMAIL = env.str("SHOP_SUPPORT_EMAIL", default="help@loomandleaf.test")

INSTALLED_APPS = [
    # Before django.contrib.admin: its admin/index.html adds the "Operations" box to admin's.
    "backoffice",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",  # sign-in lockout after repeated failures (admin and shop accounts)
    "ops",
    "shop",
    "payments",
    "invoicing",
]

MIDDLEWARE = [
    # First: every response (even a redirect or a 503) carries the request id, every line logs it.
    "ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its 429 page.
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
                "django.template.context_processors.csp",
                "shop.context_processors.shop",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write to one file: take the write lock at BEGIN (no "database is
    # locked" upgrades mid-transaction) and let readers run during a write (WAL).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
    # Tests use a file, so a Celery worker in another process sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
DATABASES["default"].setdefault(
    "CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60 if IS_PRODUCTION else 0)
)
# A kept connection that died with a database restart is noticed and replaced, not used.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server fails a request in seconds (a 503 page), not after minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth, i18n, static -------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-in"
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
if not IS_PRODUCTION:
    STATIC_ROOT.mkdir(
        parents=True, exist_ok=True
    )  # whitenoise expects it, even before collectstatic
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Uploaded media (product images) are served by Django only in development and `make run-prod`;
# a real deployment serves them from object storage or the proxy.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=not IS_PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

LOGIN_URL = "shop:login"
LOGIN_REDIRECT_URL = "shop:account_orders"
LOGOUT_REDIRECT_URL = "shop:product_list"

SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True

# --- Security: HTTPS, headers, cookies ---------------------------------------------------------
# HTTPS everywhere in production. DJANGO_HTTPS=false is only for `make run-prod` on plain
# http://127.0.0.1, where secure cookies, the HTTPS redirect and HSTS would lock the browser out.
HTTPS = env.bool("DJANGO_HTTPS", default=IS_PRODUCTION)
if env.bool("TRUST_X_FORWARDED_PROTO", default=HTTPS):
    # TLS ends at the proxy in front of gunicorn, which says the scheme in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # probes speak plain HTTP to the process
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Signed order links (/orders/<token>/) are credentials: never send them in a Referer elsewhere.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # framing of our pages: also CSP frame-ancestors, with SECURE_CSP below

# --- Cache, rate limits, sign-in lockout ---------------------------------------------------------
# The cache holds the rate-limit counters: shared (Redis) in production so that every web process
# counts together; each process's memory in development.
_redis_broker = env.str("CELERY_BROKER_URL", default="")
CACHES = {
    "default": env.cache_url(
        "CACHE_URL",
        default=(
            _redis_broker
            if IS_PRODUCTION and _redis_broker.startswith(("redis://", "rediss://"))
            else "locmemcache://"
        ),
    )
}
CACHES["default"].setdefault("KEY_PREFIX", "loomleaf")
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # A Redis that is down must not hang a checkout: the limiter then lets requests through.
    CACHES["default"].setdefault("OPTIONS", {}).update(socket_connect_timeout=1, socket_timeout=1)
# The number of proxies in front of gunicorn that append to X-Forwarded-For (a load balancer: 1).
# 0 trusts only the socket's address; too high lets clients pick their address and dodge limits.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
RATE_LIMITS_ENABLED = env.bool("RATE_LIMITS_ENABLED", default=True)
# Per client address, "count/window" (s, m, h, d; "20/10m" is 20 in 10 minutes). Each checkout
# reserves stock for PAYMENTS_ORDER_HOLD_SECONDS, so unlimited submissions could empty the shelf.
RATE_LIMITS = {
    "checkout": env.str("RATE_LIMIT_CHECKOUT", default="20/10m"),
    "webhook": env.str("RATE_LIMIT_WEBHOOK", default="300/m"),
}
# Sign-in lockout (django-axes), for admin and shop accounts: after AXES_FAILURE_LIMIT wrong
# passwords for one username from one address, that pair waits AXES_COOLOFF_MINUTES (a 429 page).
# Keyed on the pair so that an attacker cannot lock a real operator out from elsewhere.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ops.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "ops.ratelimit.client_ip"

# --- Email --------------------------------------------------------------------------------------
# EMAIL_URL selects the backend: consolemail:// (the default: mail is printed in the worker's
# log), filemail:///var/mail (a folder relative to the project; four slashes for an absolute
# path), smtp+tls://user:password@host:587.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_mail_options: dict[str, object] = {}
if _email.get("EMAIL_FILE_PATH"):
    _mail_options["file_path"] = str(BASE_DIR / _email["EMAIL_FILE_PATH"])  # absolute stays so
elif _email.get("EMAIL_HOST"):
    _mail_options.update(
        host=_email["EMAIL_HOST"],
        port=_email.get("EMAIL_PORT") or 25,
        username=_email.get("EMAIL_HOST_USER") or "",
        password=_email.get("EMAIL_HOST_PASSWORD") or "",
        use_tls=bool(_email.get("EMAIL_USE_TLS")),
        use_ssl=bool(_email.get("EMAIL_USE_SSL")),
        timeout=10,
    )
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{SHOP_NAME} <orders@loomandleaf.test>")

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # A broker that needs no server: messages are files in var/celery. One worker instance only,
    # and the processed folder on the same filesystem so that claiming a message is an atomic move.
    _celery_dir = Path(env.str("CELERY_FILESYSTEM_DIR", default=str(VAR_DIR / "celery")))
    for _sub in ("queue", "processed", "control"):
        (_celery_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": True,
    }
else:
    # Redis redelivers a message not acknowledged within the visibility timeout. Tasks are
    # acknowledged after they run (acks_late) and countdown tasks wait unacknowledged in a worker,
    # so the timeout must outlast the longest countdown (the sandbox's: up to an hour) plus the
    # hard time limit, or such tasks would run twice (ops.W001 checks it). A worker that dies
    # loses nothing: its messages come back after this timeout, and the beat sweeps (payments
    # due a check, webhooks stored but not processed) recover sooner.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 3600),
        # How often a worker looks for messages whose visibility timeout ran out (seconds, and
        # every Nth look scans Redis): about 100 s by default.
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
        # A broker that vanishes without closing the connection must not hang a publish forever
        # (longer than the 1 s BRPOP a worker waits in).
        "socket_connect_timeout": 3,
        "socket_timeout": 5,
    }
# The longest countdown any task is queued with (sandbox timers; retries back off up to 10 min).
CELERY_LONGEST_COUNTDOWN_SECONDS = 3600
# Publishing to a broker that is down gives up fast (measured: 0.5 s when Redis refuses the
# connection, 5 s when it accepts and never answers), so web requests do not hang;
# the callers that matter keep their work in the database and a beat job queues it again.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# On a lost broker connection, stop running acks_late tasks (their messages are redelivered)
# rather than finish them and fail to acknowledge: Celery 6's default, chosen now.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Emails have a queue of their own, so that a burst of receipts (thousands of orders paid by one
# sweep, say) never delays the checks that decide whether payments succeeded. The production
# Procfile gives it a worker of its own (`mailer`); a worker started without -Q (development's)
# consumes both queues.
CELERY_EMAIL_QUEUE = env.str("CELERY_EMAIL_QUEUE", default="email")
CELERY_TASK_QUEUES = [Queue(CELERY_TASK_DEFAULT_QUEUE), Queue(CELERY_EMAIL_QUEUE)]
CELERY_TASK_ROUTES = {
    f"payments.tasks.{name}": {"queue": CELERY_EMAIL_QUEUE}
    for name in ("send_order_receipt", "send_refund_email", "send_missing_emails")
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task stuck on a network call is stopped (soft: an exception it can handle; hard: killed).
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=120)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=100)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "reverify-due-payments": {
        "task": "payments.tasks.reverify_due_payments",
        "schedule": env.float("PAYMENTS_SWEEP_INTERVAL_SECONDS", default=3.0),
    },
    "requeue-stale-webhook-events": {
        "task": "payments.tasks.requeue_stale_webhook_events",
        "schedule": env.float("WEBHOOK_REQUEUE_INTERVAL_SECONDS", default=30.0),
    },
    "send-missing-emails": {
        "task": "payments.tasks.send_missing_emails",
        "schedule": 60.0,
    },
}

# --- Payments -----------------------------------------------------------------------------------
PAYMENTS_GATEWAY = env.str("PAYMENTS_GATEWAY", default="phonepe")
# How long an order keeps its stock reserved while the shopper pays or retries.
PAYMENTS_ORDER_HOLD_SECONDS = env.int("PAYMENTS_ORDER_HOLD_SECONDS", default=30 * 60)
# Keep asking the gateway this long after a payment's expiry before giving up on it.
PAYMENTS_EXPIRY_GRACE_SECONDS = env.int("PAYMENTS_EXPIRY_GRACE_SECONDS", default=5 * 60)
# Due checks queued per sweep (every PAYMENTS_SWEEP_INTERVAL_SECONDS): a cap on re-verification
# throughput, so well above what a worker drains (~50/s on 2 cores); claiming is one UPDATE.
PAYMENTS_SWEEP_BATCH_SIZE = env.int("PAYMENTS_SWEEP_BATCH_SIZE", default=1000)

if PHONEPE_ENV not in {"sandbox", "production"}:
    raise ImproperlyConfigured("PHONEPE_ENV must be 'sandbox' or 'production'.")
_phonepe_live = PHONEPE_ENV == "production"
_sandbox_base = f"{SITE_URL}/sandbox/pg"
if _phonepe_live:
    PHONEPE_CLIENT_ID = env.str("PHONEPE_CLIENT_ID")
    PHONEPE_CLIENT_SECRET = env.str("PHONEPE_CLIENT_SECRET")
    PHONEPE_CLIENT_VERSION = env.str("PHONEPE_CLIENT_VERSION")
else:
    PHONEPE_CLIENT_ID = env.str("PHONEPE_CLIENT_ID", default="sandbox-client")
    PHONEPE_CLIENT_SECRET = env.str("PHONEPE_CLIENT_SECRET", default="sandbox-secret")
    PHONEPE_CLIENT_VERSION = env.str("PHONEPE_CLIENT_VERSION", default="1")
# Webhook (S2S callback) credentials, as configured on PhonePe's dashboard. The gateway sends
# Authorization: sha256(username:password) in lowercase hex.
_DEV_WEBHOOK_USERNAME, _DEV_WEBHOOK_PASSWORD = "loomleaf_hooks", "sandboxHooks2026"
if _phonepe_live:
    PHONEPE_WEBHOOK_USERNAME = env.str("PHONEPE_WEBHOOK_USERNAME")
    PHONEPE_WEBHOOK_PASSWORD = env.str("PHONEPE_WEBHOOK_PASSWORD")
else:
    PHONEPE_WEBHOOK_USERNAME = env.str("PHONEPE_WEBHOOK_USERNAME", default=_DEV_WEBHOOK_USERNAME)
    PHONEPE_WEBHOOK_PASSWORD = env.str("PHONEPE_WEBHOOK_PASSWORD", default=_DEV_WEBHOOK_PASSWORD)
PHONEPE_BASE_URL = env.str(
    "PHONEPE_BASE_URL",
    default="https://api.phonepe.com/apis/pg" if _phonepe_live else _sandbox_base,
).rstrip("/")
PHONEPE_AUTH_BASE_URL = env.str(
    "PHONEPE_AUTH_BASE_URL",
    default="https://api.phonepe.com/apis/identity-manager" if _phonepe_live else _sandbox_base,
).rstrip("/")
PHONEPE_CONNECT_TIMEOUT = env.float("PHONEPE_CONNECT_TIMEOUT", default=3.0)
PHONEPE_READ_TIMEOUT = env.float("PHONEPE_READ_TIMEOUT", default=10.0)
# Seconds the shopper has to finish on the gateway's page (PhonePe allows 300-3600).
PHONEPE_EXPIRE_AFTER_SECONDS = env.int("PHONEPE_EXPIRE_AFTER_SECONDS", default=900)

# --- Sandbox gateway ----------------------------------------------------------------------------
SANDBOX_ENABLED = env.bool("SANDBOX_ENABLED", default=not IS_PRODUCTION and not _phonepe_live)
if SANDBOX_ENABLED and _phonepe_live:
    raise ImproperlyConfigured(
        "The sandbox gateway cannot be switched on with PHONEPE_ENV=production: "
        "unset SANDBOX_ENABLED (or set it to false)."
    )
SANDBOX_CLIENT_ID = env.str("SANDBOX_CLIENT_ID", default="sandbox-client")
SANDBOX_CLIENT_SECRET = env.str("SANDBOX_CLIENT_SECRET", default="sandbox-secret")
SANDBOX_CLIENT_VERSION = env.str("SANDBOX_CLIENT_VERSION", default="1")
SANDBOX_MERCHANT_ID = env.str("SANDBOX_MERCHANT_ID", default="LOOMLEAFUAT")
SANDBOX_MERCHANT_NAME = env.str("SANDBOX_MERCHANT_NAME", default=SHOP_NAME)
SANDBOX_TOKEN_TTL_SECONDS = env.int("SANDBOX_TOKEN_TTL_SECONDS", default=3600)
SANDBOX_SLOW_SETTLE_SECONDS = env.int("SANDBOX_SLOW_SETTLE_SECONDS", default=20)
SANDBOX_REFUND_CONFIRM_SECONDS = env.int("SANDBOX_REFUND_CONFIRM_SECONDS", default=1)
SANDBOX_REFUND_COMPLETE_SECONDS = env.int("SANDBOX_REFUND_COMPLETE_SECONDS", default=2)
# Where the sandbox sends its webhooks, and the credentials it signs them with.
SANDBOX_WEBHOOK_URL = env.str(
    "SANDBOX_WEBHOOK_URL", default=f"{SITE_URL}/payments/webhooks/phonepe/"
)
SANDBOX_WEBHOOK_USERNAME = env.str("SANDBOX_WEBHOOK_USERNAME", default=_DEV_WEBHOOK_USERNAME)
SANDBOX_WEBHOOK_PASSWORD = env.str("SANDBOX_WEBHOOK_PASSWORD", default=_DEV_WEBHOOK_PASSWORD)
SANDBOX_WEBHOOK_MAX_ATTEMPTS = env.int("SANDBOX_WEBHOOK_MAX_ATTEMPTS", default=6)
SANDBOX_WEBHOOK_RETRY_BASE_SECONDS = env.float("SANDBOX_WEBHOOK_RETRY_BASE_SECONDS", default=2.0)
# The sandbox's daily settlement report: T+N business days, fee and GST on the fee (percent).
SANDBOX_SETTLEMENT_DAYS = env.int("SANDBOX_SETTLEMENT_DAYS", default=1)
SANDBOX_FEE_PERCENT = env.str("SANDBOX_FEE_PERCENT", default="2.0")
SANDBOX_FEE_TAX_PERCENT = env.str("SANDBOX_FEE_TAX_PERCENT", default="18.0")
# Misbehaviour for every order (per-order rules come through the control API), as JSON, e.g.
# {"webhook": {"mode": "duplicate", "times": 3}, "status": {"errorStatus": 500, "errorTimes": 2}}
SANDBOX_CHAOS = env.json("SANDBOX_CHAOS", default={})
if SANDBOX_ENABLED:
    INSTALLED_APPS.append("sandbox")

# --- Logging ------------------------------------------------------------------------------------
# Every line carries the request id (or the task's) and the order number it is about; personal
# data and secrets are masked by a filter on the handler (ops/logs.py, ops/redact.py). JSON lines
# in production (one object per line, for a log shipper), readable ones in development.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if IS_PRODUCTION else "plain")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'plain'.")
# One line per request (method, path with signed links masked, status, time) with its request id;
# in production gunicorn's own access log is off in favour of this.
ACCESS_LOG = env.bool("ACCESS_LOG", default=IS_PRODUCTION)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "ops.logs.RequestContextFilter"},
        "redact": {"()": "ops.logs.RedactFilter"},
    },
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(order_number)s] "
            "%(message)s"
        },
        "json": {"()": "ops.logs.JsonLogFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # urllib3 logs full URLs at DEBUG; keep it quiet.
        "urllib3": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
        # One line per task received and per task done, every few seconds for the sweep: too much.
        "celery.app.trace": {"level": "WARNING"},
        "celery.worker.strategy": {"level": "WARNING"},
        "celery.beat": {"level": "WARNING"},
        "axes.apps": {"level": "WARNING"},  # a version banner at every start
    },
}

# --- Shop ---------------------------------------------------------------------------------------
SHOP_SHIPPING_FEE_PAISE = env.int("SHOP_SHIPPING_FEE_PAISE", default=4900)
SHOP_FREE_SHIPPING_FROM_PAISE = env.int("SHOP_FREE_SHIPPING_FROM_PAISE", default=99900)
# Products per page of the catalogue.
SHOP_PRODUCTS_PER_PAGE = env.int("SHOP_PRODUCTS_PER_PAGE", default=24)

# --- Backoffice ---------------------------------------------------------------------------------
# Settlement: the gateway pays a completed payment out N business days (Mon-Fri) after the Indian
# day it completed, less its fee (percent of the amount) and GST on the fee (percent of the fee).
BACKOFFICE_SETTLEMENT_DAYS = env.int("BACKOFFICE_SETTLEMENT_DAYS", default=1)
# Text, read as Decimal by backoffice.conf: a percentage must not go through a float.
BACKOFFICE_FEE_PERCENT = env.str("BACKOFFICE_FEE_PERCENT", default="2.0")
BACKOFFICE_FEE_TAX_PERCENT = env.str("BACKOFFICE_FEE_TAX_PERCENT", default="18.0")
# At most this many status calls (one per payment or refund) per reconciliation run.
BACKOFFICE_RECONCILE_MAX_ITEMS = env.int("BACKOFFICE_RECONCILE_MAX_ITEMS", default=2000)
# Extra panels on the admin's order page, provided by other apps (payments imports none of them).
PAYMENTS_ORDER_PANELS = [
    "invoicing.panels.order_documents_panel",
    "backoffice.panels.order_settlement_panel",
]

# --- Invoicing ----------------------------------------------------------------------------------
# GST tax invoices and credit notes (invoicing/). The seller's legal name, address ("\n" between
# lines), GSTIN and state are printed on every document: required in production; development uses
# a sandbox seller in Karnataka (GST state code 29, which the GSTIN must start with).
if IS_PRODUCTION:
    INVOICE_SELLER_NAME = env.str("INVOICE_SELLER_NAME")
    INVOICE_SELLER_ADDRESS = env.str("INVOICE_SELLER_ADDRESS", multiline=True)
    INVOICE_SELLER_GSTIN = env.str("INVOICE_SELLER_GSTIN")
    INVOICE_SELLER_STATE = env.str("INVOICE_SELLER_STATE")
    # Issued PDFs are kept here, privately (never under MEDIA_ROOT, which may be public).
    INVOICE_FILES_ROOT = Path(env.str("INVOICE_FILES_ROOT"))
else:
    INVOICE_SELLER_NAME = env.str("INVOICE_SELLER_NAME", default=SHOP_NAME)
    INVOICE_SELLER_ADDRESS = env.str(
        "INVOICE_SELLER_ADDRESS",
        default="No. 14, 2nd Cross, Indiranagar\nBengaluru 560038, Karnataka",
        multiline=True,
    )
    INVOICE_SELLER_GSTIN = env.str("INVOICE_SELLER_GSTIN", default="29ABCDE1234F1ZW")
    INVOICE_SELLER_STATE = env.str("INVOICE_SELLER_STATE", default="Karnataka")
    INVOICE_FILES_ROOT = Path(env.str("INVOICE_FILES_ROOT", default=str(VAR_DIR / "documents")))
# Numbers are <prefix>/<financial year>/<6 digits>, e.g. LL/26-27/000001: GST allows at most 16
# characters, so prefixes have at most 3.
INVOICE_NUMBER_PREFIX = env.str("INVOICE_NUMBER_PREFIX", default="LL")
INVOICE_CREDIT_NOTE_PREFIX = env.str("INVOICE_CREDIT_NOTE_PREFIX", default="CN")
# Shipping is invoiced as a service: SAC 996812 (courier services), GST 18% included in the fee.
INVOICE_SHIPPING_SAC = env.str("INVOICE_SHIPPING_SAC", default="996812")
INVOICE_SHIPPING_GST_RATE_BP = env.int("INVOICE_SHIPPING_GST_RATE_BP", default=1800)

# --- Checkout mode and Content Security Policy --------------------------------------------------
# How the shopper pays by default: "redirect" (to the gateway's page) or "embedded" (the gateway's
# page in an iframe on ours, through its checkout.js). The shopper can switch on the payment step.
PAYMENTS_CHECKOUT_MODE = env.str("PAYMENTS_CHECKOUT_MODE", default="redirect")
if PAYMENTS_CHECKOUT_MODE not in {"redirect", "embedded"}:
    raise ImproperlyConfigured("PAYMENTS_CHECKOUT_MODE must be 'redirect' or 'embedded'.")
# The gateway's checkout.js: the bundled sandbox's (same origin) in development, PhonePe's live.
PHONEPE_CHECKOUT_SCRIPT_URL = env.str(
    "PHONEPE_CHECKOUT_SCRIPT_URL",
    default=(
        "https://mercury.phonepe.com/web/bundle/checkout.js"
        if _phonepe_live
        else "/sandbox/checkout.js"
    ),
)
# Origins the gateway's scripts, pay pages (frames) and form posts come from, besides our own.
PAYMENTS_GATEWAY_ORIGINS = env.list(
    "PAYMENTS_GATEWAY_ORIGINS",
    default=["https://mercury.phonepe.com", "https://*.phonepe.com"] if _phonepe_live else [],
)
# Scripts only from ourselves (with a per-response nonce) and the gateway; frames only from the
# gateway; nothing inline.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE, *PAYMENTS_GATEWAY_ORIGINS],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-src": [CSP.SELF, *PAYMENTS_GATEWAY_ORIGINS],
    "form-action": [CSP.SELF, *PAYMENTS_GATEWAY_ORIGINS],
    "frame-ancestors": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Benchmarks ---------------------------------------------------------------------------------
# `make bench` only (bench/README.md): mounts the baseline views at /bench/ and adds per-response
# query counts and gateway timings. Never set it in a deployment.
BENCH_BASELINE = env.bool("BENCH_BASELINE", default=False)
if BENCH_BASELINE:
    INSTALLED_APPS.append("bench")
    MIDDLEWARE.insert(0, "bench.metrics.BenchMetricsMiddleware")
