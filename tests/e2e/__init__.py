"""End-to-end browser tests (Playwright on Debian's Chromium, against a live server)."""
