"""The Telegram adapter: thin handlers around the core, one module per feature."""
