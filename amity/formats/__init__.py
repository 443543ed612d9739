"""Project overrides of Django's locale formats (FORMAT_MODULE_PATH); anything not set here keeps Django's."""
