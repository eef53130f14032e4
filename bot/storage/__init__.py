"""What is kept on disk: SQLite files, per-person state, the journal, the unanswered log, caches."""
