"""Settings for every shape of the shop, read from the environment (django-environ).

Two shapes:
- development (the default): SQLite file in var/, Celery on kombu's filesystem transport, console
  email, the bundled PhonePe sandbox switched on. Nothing to install but Python.
- production (DJANGO_ENV=production): every secret must come from the environment; the sandbox
  is off and refuses to be switched on.
"""

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

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
    "shop",
    "payments",
    "invoicing",
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
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
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
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
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
    # Longer than the longest task, so a message is not redelivered while it still runs.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
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
        "schedule": 30.0,
    },
}

# --- Payments -----------------------------------------------------------------------------------
PAYMENTS_GATEWAY = env.str("PAYMENTS_GATEWAY", default="phonepe")
# How long an order keeps its stock reserved while the shopper pays or retries.
PAYMENTS_ORDER_HOLD_SECONDS = env.int("PAYMENTS_ORDER_HOLD_SECONDS", default=30 * 60)
# Keep asking the gateway this long after a payment's expiry before giving up on it.
PAYMENTS_EXPIRY_GRACE_SECONDS = env.int("PAYMENTS_EXPIRY_GRACE_SECONDS", default=5 * 60)
PAYMENTS_SWEEP_BATCH_SIZE = env.int("PAYMENTS_SWEEP_BATCH_SIZE", default=200)

PHONEPE_ENV = env.str("PHONEPE_ENV", default="sandbox")
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
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # urllib3 logs full URLs at DEBUG; keep it quiet.
        "urllib3": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
        # One line per task received and per task done, every few seconds for the sweep: too much.
        "celery.app.trace": {"level": "WARNING"},
        "celery.worker.strategy": {"level": "WARNING"},
        "celery.beat": {"level": "WARNING"},
    },
}

# --- Shop ---------------------------------------------------------------------------------------
SHOP_SHIPPING_FEE_PAISE = env.int("SHOP_SHIPPING_FEE_PAISE", default=4900)
SHOP_FREE_SHIPPING_FROM_PAISE = env.int("SHOP_FREE_SHIPPING_FROM_PAISE", default=99900)

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
