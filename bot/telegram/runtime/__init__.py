"""The Telegram runtime: the Application, polling/webhook, intake, persistence, transport."""
