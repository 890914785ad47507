"""The catalog's typed errors; the CLI (and the server) turn them into messages and exit codes."""

from __future__ import annotations


class CatalogReadError(Exception):
    """A prebuilt catalog (file or shard directory) cannot be used.

    ``code`` is a stable diagnostic code (DM600–DM603, see docs/errors.md), ``path`` the file or
    directory, ``hint`` how to fix it. A server that fails to reload keeps serving the catalog it
    has; one that fails at start exits.
    """

    def __init__(self, code: str, path: str, message: str, hint: str) -> None:
        super().__init__(f"{path}: {message}")
        self.code = code
        self.path = path
        self.message = message
        self.hint = hint

    def format(self) -> str:
        """``PATH:0:0: error CODE -: message`` and the hint, as every mesh diagnostic is printed."""
        return f"{self.path}:0:0: error {self.code} -: {self.message}\n  hint: {self.hint}"
