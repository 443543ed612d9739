"""Local development on one laptop: SQLite under var/, debug on, a throwaway secret key."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-change-me"  # noqa: F405

# Two-factor sign-in optional for every role on a developer's laptop (`make dev`) only: the demo accounts sign in
# with their password. `make run` (office) and production require it for the roles of the base settings.
AMITY_TWO_FACTOR_REQUIRED_ROLES = []
