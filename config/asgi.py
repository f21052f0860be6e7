import os

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
# Fail at start-up when SECRET_KEY is missing with DEBUG off (see config/wsgi.py).
settings.SECRET_KEY  # noqa: B018
