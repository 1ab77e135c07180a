"""Numbers from the standards the templates follow, one place each."""
