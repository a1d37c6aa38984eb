"""The Celery app. Settings come from Django's settings under the CELERY_ prefix."""

import os

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

# "filesystem://" uses kombu's transport with atomic message writes (see config/kombu_filesystem).
TRANSPORT_ALIASES["filesystem"] = "config.kombu_filesystem:Transport"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
