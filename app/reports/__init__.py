"""Completeness reports: the auditor dashboard and the ledger exports."""
