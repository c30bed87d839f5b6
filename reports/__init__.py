"""Monthly availability reports to ANS: exact figures, PDF/CSV/JSON, signed and archived."""
