"""The reference Django project (../shared/reference) on a PostgreSQL database:
DJANGO_PG_NAME, DJANGO_PG_HOST, DJANGO_PG_PORT, DJANGO_PG_USER."""
import os

from refsite.settings import *  # noqa: F401,F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["DJANGO_PG_NAME"],
        "HOST": os.environ.get("DJANGO_PG_HOST", "127.0.0.1"),
        "PORT": os.environ.get("DJANGO_PG_PORT", "5432"),
        "USER": os.environ.get("DJANGO_PG_USER", "postgres"),
        "PASSWORD": os.environ.get("DJANGO_PG_PASSWORD", ""),
    }
}
