"""Settings for Jianyi, read from the environment (see README, "Settings")."""

import datetime
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and env_bool("DJANGO_REQUIRE_SECRET_KEY", default=False):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production")
    SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 - development default only
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "accounts",
    "proposals",
    "replies",
]

MIDDLEWARE = [
    "config.errors.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.PrivateCacheMiddleware",
    "accounts.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLimitMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.PermissionsPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "accounts.memo.RequestMemoMiddleware",
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
                "django.template.context_processors.i18n",
                "accounts.context_processors.roles",
            ],
        },
    },
]

# With no DATABASE_URL the app runs on SQLite, which is what `make run` uses on a fresh machine.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A connection that died with a database restart is replaced, not reused.
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Passwords (等保 2.0): at least 10 characters of three of the four classes, not common, not like
# the user's name. An account an administrator creates must set its own password at first login.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
]
# Two-factor login (TOTP) for bureau leaders (who sign) and admins; signing asks a fresh code.
REQUIRE_2FA = env_bool("JIANYI_REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = "建议办理"
# Days after which a password must be changed; 0 = never (set 90 for the 等保 choice).
PASSWORD_MAX_AGE_DAYS = env_int("JIANYI_PASSWORD_MAX_AGE_DAYS", 0)

# Logging in: 5 failures for one account, or from one address, lock it for 30 minutes
# (django-axes; admins unlock by deleting the attempt in the admin). Sessions end after 30 minutes
# without activity and after 12 hours in any case.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UserBackend",  # Django's, reading the header's unread count with the user
]
AXES_FAILURE_LIMIT = env_int("JIANYI_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("JIANYI_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each counts on its own
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
SESSION_IDLE_MINUTES = env_int("JIANYI_SESSION_IDLE_MINUTES", 30)
SESSION_MAX_HOURS = env_int("JIANYI_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
# Paths that never use the session (cacheable for everyone): the session rules skip them.
SESSIONLESS_PATHS = ("/public/", "/static/")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# The audit log (accounts.AuditRecord) is kept this many days; `manage.py audit_purge` removes
# older records. 网络安全法 §21 requires at least six months.
AUDIT_RETENTION_DAYS = env_int("JIANYI_AUDIT_RETENTION_DAYS", 184)
if AUDIT_RETENTION_DAYS < 184:
    raise ImproperlyConfigured(
        f"JIANYI_AUDIT_RETENTION_DAYS must be at least 184 (six months, 网络安全法 §21), not {AUDIT_RETENTION_DAYS}"
    )

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
# Uploaded and generated files (official-letter PDFs, exports). Never served directly:
# every download goes through a view that applies the object's access rule.
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# Behind HTTPS (DJANGO_SECURE_COOKIES=true): HSTS and a redirect to HTTPS.
SECURE_HSTS_SECONDS = 31536000 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SESSION_COOKIE_SECURE
# Not on the browsers' public HSTS preload list: an intranet host name cannot be submitted to it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=SESSION_COOKIE_SECURE)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SESSION_COOKIE_SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: only this site's own files; no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Celery. With no REDIS_URL, tasks run in-process (eagerly) so `make run` needs no broker.
REDIS_URL = env_str("REDIS_URL")
# The cache counts per-user limits on expensive requests; Redis shares them between processes.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
LIMITS_KEY_PREFIX = env_str("JIANYI_LIMITS_KEY_PREFIX", "jianyi")
LIMITS_BUSY_SECONDS = 120  # a render that never finished frees its slot after this
# Proposal lists keep their counts under the data's version (proposals/versions.py) this long at
# most; 0 counts on every view.
LIST_COUNTS_SECONDS = env_int("JIANYI_LIST_COUNTS_SECONDS", 600)
# A letter rendered on request (draft preview, opinion) runs in a child process killed after this.
PREVIEW_SECONDS = env_int("JIANYI_PREVIEW_SECONDS", 20)
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env_str("JIANYI_CELERY_QUEUE", "celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# If the broker is down, publishing gives up within a few seconds; the job stays queued in the
# database and the periodic sweep sends it again.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}

# Workflow numbers (domain.md). Each session carries its own copy, defaulted from these.
REPLY_DUE_MONTHS = env_int("JIANYI_REPLY_DUE_MONTHS", 3)
OPINION_DUE_MONTHS = env_int("JIANYI_OPINION_DUE_MONTHS", 1)
DUE_SOON_DAYS = env_int("JIANYI_DUE_SOON_DAYS", 14)
CATEGORY_MARKS = env_str("JIANYI_CATEGORY_MARKS", "ABCD")
# Evaluation and re-handling (copied into each new session): who rates ("lead" or "all"
# co-signers too), in how many days after the reply is sent, and the months a re-handling takes.
RATERS = env_str("JIANYI_RATERS", "lead")
if RATERS not in ("lead", "all"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"JIANYI_RATERS must be lead or all, not {RATERS!r}")
RATING_WINDOW_DAYS = env_int("JIANYI_RATING_WINDOW_DAYS", 30)
REHANDLING_DUE_MONTHS = env_int("JIANYI_REHANDLING_DUE_MONTHS", 1)
# A recess proposal (闭会期间) is assigned within this many working days of its receipt.
RECESS_ASSIGN_WORKING_DAYS = env_int("JIANYI_RECESS_ASSIGN_WORKING_DAYS", 5)
# Automatic reminders (celery beat, daily): this many days before a due date, on the day, and
# every so many days while overdue.
REMIND_DAYS_BEFORE = env_int("JIANYI_REMIND_DAYS_BEFORE", 7)
REMIND_OVERDUE_EVERY_DAYS = env_int("JIANYI_REMIND_OVERDUE_EVERY_DAYS", 7)
# An extension may move a due date to at most this many months after assignment.
EXTENSION_MAX_MONTHS = env_int("JIANYI_EXTENSION_MAX_MONTHS", 6)
# Public release of 主动公开 replies: due this many working days after the reply is sent.
RELEASE_DUE_WORKING_DAYS = env_int("JIANYI_RELEASE_DUE_WORKING_DAYS", 20)

# Official letters: a folder of licensed fonts (方正小标宋, 仿宋_GB2312, ...) used before the free ones.
LETTER_FONT_DIR = env_str("JIANYI_LETTER_FONT_DIR", str(BASE_DIR / "var" / "fonts"))
# PostScript letter fonts print with TrueType outlines on a grid of this many font units
# (replies/letter/outlines.py; at 6 no point moves more than about 0.04 mm at 16 pt); 0 prints
# them as they are.
LETTER_OUTLINE_GRID = env_int("JIANYI_LETTER_OUTLINE_GRID", 6)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every layout step at INFO; fontTools reports every subset.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
# A bureau may ask for reassignment within this many days of being assigned.
REASSIGNMENT_WINDOW_DAYS = env_int("JIANYI_REASSIGNMENT_WINDOW_DAYS", 10)

# A worker holds a PDF job this long; a job whose worker died is taken again after it expires.
PDF_LEASE_SECONDS = env_int("JIANYI_PDF_LEASE_SECONDS", 300)
# Replies per export task: each task renders its share, so more workers finish sooner.
EXPORT_CHUNK_SIZE = env_int("JIANYI_EXPORT_CHUNK_SIZE", 10)
CELERY_BEAT_SCHEDULE = {
    "sweep-pdf-jobs": {"task": "replies.tasks.sweep_pdf_jobs", "schedule": 60.0},
    "sweep-exports": {"task": "replies.tasks.sweep_exports", "schedule": 60.0},
    "send-reminders": {"task": "proposals.tasks.send_reminders", "schedule": crontab(hour=8, minute=0)},
    "refresh-stale-stats": {"task": "replies.tasks.refresh_stale_stats", "schedule": 300.0},
}

# Notifications: e-mail through Django's e-mail framework (the console backend prints messages;
# set an SMTP host in production), SMS through a backend class (the default only logs), and the
# address links in e-mails and short messages start with.
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 30)  # seconds; a hung server must not hold a worker
EMAIL_FILE_PATH = env_str("DJANGO_EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))  # file backend
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "jianyi@localhost")
SMS_BACKEND = env_str("JIANYI_SMS_BACKEND", "accounts.sms.LoggingSmsBackend")
SITE_URL = env_str("JIANYI_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"JIANYI_SITE_URL must start with http:// or https://, not {SITE_URL!r}")

# Excel in and out (proposals/imports, proposals/export_views.py). Uploads are untrusted: bounded
# in size (and unpacked size, against zip bombs), rows, columns and text per cell, parsed with
# defusedxml, and limited per user; a list export stops at a row limit with a message.
IMPORT_MAX_UPLOAD_BYTES = env_int("JIANYI_IMPORT_MAX_UPLOAD_MB", 5) * 1024 * 1024
IMPORT_MAX_UNPACKED_BYTES = env_int("JIANYI_IMPORT_MAX_UNPACKED_MB", 100) * 1024 * 1024
IMPORT_MAX_ROWS = env_int("JIANYI_IMPORT_MAX_ROWS", 5000)
IMPORT_MAX_COLUMNS = env_int("JIANYI_IMPORT_MAX_COLUMNS", 30)
IMPORT_MAX_CELL_CHARS = env_int("JIANYI_IMPORT_MAX_CELL_CHARS", 20000)
IMPORT_UPLOADS_PER_MINUTE = env_int("JIANYI_IMPORT_UPLOADS_PER_MINUTE", 6)
LIST_EXPORT_MAX_ROWS = env_int("JIANYI_LIST_EXPORT_MAX_ROWS", 20000)
LIST_EXPORTS_PER_MINUTE = env_int("JIANYI_LIST_EXPORTS_PER_MINUTE", 6)
