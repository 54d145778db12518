"""Qt item models over the services (no SQL here: every row comes from a service call)."""
