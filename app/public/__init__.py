"""What anyone may read without logging in: published catalogues (年终总公开)."""
