"""Settings per environment: base (shared), dev, test, production. Chosen by DJANGO_SETTINGS_MODULE."""
