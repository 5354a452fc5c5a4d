"""Administration pages: users and organisations."""
