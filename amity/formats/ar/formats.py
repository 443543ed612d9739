"""Arabic formats: Django's, plus digit grouping for amounts."""

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
