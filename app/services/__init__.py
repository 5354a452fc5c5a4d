"""Workflow services: every write of the web pages, the API and the CLI goes here.

Services take domain objects and plain data, check permissions and rules,
write the audit event and refresh the compliance summary; they flush and never
commit, so the caller's one commit makes a request all-or-nothing.
"""
