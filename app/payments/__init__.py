"""The money trail's pages: finance-ledger upload and preview, payment findings, linking, 台账 import."""
