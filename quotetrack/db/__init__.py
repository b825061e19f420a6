"""The SQLite store: connection, schema migrations, write transactions and batched writes."""
