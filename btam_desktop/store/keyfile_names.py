"""File names inside a vault folder (none of them carries a person's name)."""

DB_NAME = "vault.db"
KEYS_NAME = "vault.keys"
NEXT_KEYS_NAME = "vault.keys.next"
BACKUP_DIR = "backups"
FORMS_DIR = "forms"
