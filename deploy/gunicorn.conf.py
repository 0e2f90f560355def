"""gunicorn settings for Pelita (`make serve`, and deploy/systemd/pelita@.service).

Every value comes from the environment, so one file serves any number of instances on one host.
PELITA_INSTANCE names the instance (default: its port): its pid file and its control socket
(gunicorn 27's `gunicornc` interface) are `pelita-<instance>.pid` / `.ctl` in PELITA_RUN_DIR
(systemd's RUNTIME_DIRECTORY, else instance/run), so two instances never share them.
docs/deploy.md explains each choice.
"""

import os
from pathlib import Path

_port = os.environ.get("PORT", "8000")
_instance = os.environ.get("PELITA_INSTANCE") or _port
_run_dir = Path(os.environ.get("PELITA_RUN_DIR") or os.environ.get("RUNTIME_DIRECTORY")
                or Path(__file__).resolve().parent.parent / "instance" / "run")
_run_dir.mkdir(parents=True, exist_ok=True)

wsgi_app = "wsgi:app"
bind = [f"{os.environ.get('HOST', '127.0.0.1')}:{_port}"]
proc_name = f"pelita-{_instance}"
pidfile = str(_run_dir / f"pelita-{_instance}.pid")
control_socket = str(_run_dir / f"pelita-{_instance}.ctl")

# Sync workers: the app is CPU-bound (templates, Argon2id at login); one per core.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
workers = int(os.environ.get("WEB_WORKERS", "2"))
# A worker silent for 30 s is killed and replaced (a stuck request must not hold a worker for
# ever); a restart or stop lets requests in flight finish for up to 30 s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Seconds an idle kept-alive connection stays open. The sync workers ignore it (they close
# every connection after its response, which costs nothing on loopback behind nginx); it
# applies when GUNICORN_WORKER_CLASS=gthread serves clients directly.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Shed load early: at most 64 connections wait for a worker (about a second of work for two
# workers). While that queue is full Linux completes no new connection (it drops the SYN), so
# nginx's connect attempt times out after 2 s (proxy_connect_timeout) and goes to the next
# instance, or answers 504 quickly — instead of gunicorn's default 2048 queueing minutes of
# requests whose clients have long given up (issue 19's class-start rush).
backlog = int(os.environ.get("GUNICORN_BACKLOG", "64"))
accesslog = "-"
errorlog = "-"
