"""The archive: hybrid search over every stored article, ``show`` by id, and export."""
