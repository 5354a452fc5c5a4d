"""The audit trail's verification page."""
