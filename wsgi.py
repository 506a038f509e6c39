"""WSGI entry point: `gunicorn wsgi:app`."""

from training import create_app
from training.core.worker import prepare_worker

app = create_app()
prepare_worker(app)
