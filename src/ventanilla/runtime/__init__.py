"""Running Ventanilla: ``ventanilla serve`` (gunicorn), ``ventanilla worker`` (the queue and the
periodic jobs named in ``settings.VENTANILLA_PERIODIC_JOBS``) and ``ventanilla settings_help``."""
