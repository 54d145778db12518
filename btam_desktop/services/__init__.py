"""Use cases over the store, with role checks and audit writes. Plain Python, no Qt."""
