"""The one kind of error a user can cause and read: the command line prints its
message as one line and exits 2. Each module raises its own subclass, so the
command line catches them all without importing every module."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix (a path, a revision, a configuration); the message is one line."""
