"""SQLCipher storage, vault keys, migrations, the audit chain and full-text search."""
