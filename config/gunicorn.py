"""gunicorn settings for the production web process (Procfile: `web`). Every value can be changed
from the environment; the defaults suit a 2-core machine.

Threads, not only processes: the shop spends its time waiting on PhonePe and PostgreSQL, and the
bundled sandbox (when switched on, as in `make run-prod`) is called by the shop over HTTP on the
same server, so a single worker with a single thread would wait for itself.
"""

import os

bind = f"{os.environ.get('WEB_HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
# (2 x cores) is gunicorn's usual advice for sync workers; with 4 threads each, 2 processes on 2
# cores serve 8 requests at once and keep memory low.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
# Longer than the slowest request (a gateway call: 3 s connect + 10 s read, at most twice).
timeout = int(os.environ.get("WEB_TIMEOUT", "40"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so a slow leak never grows for weeks.
max_requests = 2000
max_requests_jitter = 200
# Django's RequestIdMiddleware logs one access line per request (with the request id and the
# order number); gunicorn's own access log would only duplicate it without them.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The proxies allowed to say X-Forwarded-Proto (TLS ends there); "*" when only the load balancer
# can reach this port.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Load the application in each worker (not before forking): a database connection is never
# shared between processes.
preload_app = False
