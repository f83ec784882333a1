"""Frozen copies of the functions migrations apply to stored data; never edit one in place."""
