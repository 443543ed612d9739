"""What `make run` serves: Amity on one office machine, for its users on that machine or the office network.

Debug is off, so a user sees Amity's own error pages in their language, never Django's debug pages (which list
every address of the site and the settings); `DJANGO_DEBUG=1` turns them on for a developer (`make dev` uses the
dev settings instead). Static files are served by WhiteNoise from `var/static`, collected, compressed and given
hashed names by `make prepare` (`manage.py collectstatic`), so browsers may keep them for a year. Without
`DJANGO_SECRET_KEY` a random key is made once and kept in `var/secret_key`: sessions survive a restart and no
two installations share a key.
"""

from .base import *  # noqa: F403
from .base import env_bool, secret_key_in

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = SECRET_KEY or secret_key_in(VAR_DIR / "secret_key")  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
