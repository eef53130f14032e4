"""Text in its comparable form: normalising, scripts and languages, personal data, small talk."""
