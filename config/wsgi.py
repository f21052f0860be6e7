import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Fail at start-up, not on the first request, when SECRET_KEY is missing with DEBUG off:
# Django raises ImproperlyConfigured when the empty setting is read.
settings.SECRET_KEY  # noqa: B018
# Import the URLconf and every view now: Django does it on a process's first request,
# which then takes a quarter of a second (each gunicorn worker's first caller waited).
get_resolver().url_patterns  # noqa: B018
