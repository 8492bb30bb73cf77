"""Roadmap templates of the region (ИРО methodists) and of the platform (administrators)."""
