"""WSGI entry point (gunicorn config.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Django, the apps, the URL conf and the views live as long as the process: move them out of the garbage
# collector's reach, so that its full passes (triggered by a large report's many small objects) scan only the
# request's objects. Measured on the national report (benchmarks/RESULTS.md): about a third of its time.
get_resolver().url_patterns  # noqa: B018 (load the URL conf and the views now, not on the first request)
gc.collect()
gc.freeze()
