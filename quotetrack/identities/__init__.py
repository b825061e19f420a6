"""Speaker identities shared by every article of the database."""
