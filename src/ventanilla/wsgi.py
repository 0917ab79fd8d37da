"""WSGI entry point used by gunicorn (``ventanilla serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
application = get_wsgi_application()
