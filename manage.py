#!/usr/bin/env python
"""Django's command-line utility for Amity.

Configuration and connection errors are printed as one line naming what is wrong, not as a traceback.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        sys.exit(f"Amity is not configured correctly: {exc}")
    except OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        sys.exit(f"Amity cannot use its database (check DATABASE_URL): {first_line}")


if __name__ == "__main__":
    main()
