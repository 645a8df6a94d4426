"""Storage: sqlmodel tables, engine setup and migrations."""
