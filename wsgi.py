"""WSGI entry point: `gunicorn --preload wsgi:app` (see the README's production section).

With --preload, `prepare_worker` runs once in gunicorn's master: every worker forks with the
parsed release and the segmenters' dictionaries already loaded (and frozen out of the
collector's way), sharing their memory pages instead of holding a copy each.
"""

from training import create_app
from training.core.worker import prepare_worker

app = create_app()
prepare_worker(app)
