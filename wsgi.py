"""WSGI entry point: `gunicorn --preload wsgi:app` (see the README's production section)."""

import gc

from training import create_app
from training.core.worker import prepare_worker

app = create_app()
prepare_worker(app)
# With --preload this runs once, in gunicorn's master, and every worker forks with the parsed
# release and the segmenters' dictionaries already loaded, sharing their memory pages. Frozen
# objects are left alone by the garbage collector, whose bookkeeping writes would otherwise
# copy those pages into each worker.
gc.freeze()
