"""Generated data, kept apart from the workflow services: the 白甸镇 demo and bulk benchmark data.

Both write through (``load``) or next to (``synth``) the services; nothing in the
web layer, the API or the services imports this package, only ``app.cli``.
"""
