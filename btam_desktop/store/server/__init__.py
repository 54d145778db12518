"""The team server store: the same tables on PostgreSQL, with case content sealed on the client."""
