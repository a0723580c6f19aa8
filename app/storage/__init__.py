"""The SQLite database: the source of truth for conversations and memories (migrations, rows, errors)."""
