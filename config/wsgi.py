import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Fail at start-up, not on the first request, when SECRET_KEY is missing with DEBUG off:
# Django raises ImproperlyConfigured when the empty setting is read.
settings.SECRET_KEY  # noqa: B018
