"""gunicorn settings for production: `gunicorn -c python:inspect_app.gunicorn_conf
'inspect_app:create_app()'` (what `make serve` runs). They travel with the package, so the
same command works from an installed wheel in any folder. Every value can be overridden on
the command line or through the GUNICORN_* environment variables read below.

Sized for a 2-core server behind a reverse proxy (nginx, Caddy) that terminates HTTPS and
buffers request bodies, so a slow phone upload never holds a worker while it trickles in.
"""

import multiprocessing
import os

# Listen on loopback; the proxy forwards to it. Set INSPECT_PROXY_COUNT=1 so the app trusts
# the proxy's X-Forwarded-For/-Proto (client addresses, HTTPS cookies).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: a save is CPU work (decoding and shrinking photos) plus short database
# writes. 2 × cores + 1 keeps both cores busy while some workers wait on the database or
# disk: 5 workers on 2 cores. Each worker may decode a photo at a time (~200-400 MB peak).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"

# The worst legitimate request: a visit with 20 phone photos (12 MP, ~7 MB each). The
# pipeline took 0.5-0.9 s per photo on a 2-core machine at load 10 (measured), so 10-20 s;
# the ledger export with thumbnails of 10,000 problems takes about as long. 120 s leaves
# room for a busy machine; a worker stuck beyond it is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30  # in-flight saves finish on reload/shutdown
keepalive = 5

# Recycle each worker after about 1000 requests (jittered so they do not all restart at
# once), which returns memory that image decoding fragmented.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 1000))
max_requests_jitter = 100

# Access log to stdout (journald/docker collect it): client, request, status, size, time (µs).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'

# Heartbeat files in memory, so a slow disk cannot make gunicorn think a worker hung.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Each worker opens its own database connections after the fork.
preload_app = False
