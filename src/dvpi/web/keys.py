"""The dashboard's key file: the secret that signs sessions and keys the audit log.

It is *not* in the state store: someone who can read or write the store (a backup, a
copy, a misconfigured share) must neither forge a session cookie nor re-key the
audit chain. One random 256-bit master key, hex on one line, in a file created 0600
on first use; two keys are derived from it (HMAC-SHA256 of a label), so the session
key and the audit key are independent.

Where it is: ``--key-file``, or ``$DVPI_KEY_FILE``, or beside the state store
(``<warehouse>.web.sqlite.key``). Keep it elsewhere in production (docs/security.md).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from dvpi.files import is_private, restrict, write_private

KEY_FILE_ENV = "DVPI_KEY_FILE"


class KeyFileError(RuntimeError):
    """The key file exists but is not a key."""


def default_key_path(state_path: str | Path) -> Path:
    configured = os.environ.get(KEY_FILE_ENV)
    if configured:
        return Path(configured)
    state_path = Path(state_path)
    return state_path.with_name(state_path.name + ".key")


@dataclass(frozen=True)
class Keys:
    path: Path
    master: bytes
    created: bool  # made now: this store's audit chain starts keyed here

    def _derive(self, label: str) -> bytes:
        return hmac.new(self.master, label.encode("ascii"), hashlib.sha256).digest()

    @property
    def audit(self) -> bytes:
        return self._derive("dvpi audit log v1")

    @property
    def session(self) -> str:
        return self._derive("dvpi sessions v1").hex()


def load_keys(path: str | Path, *, create: bool = True) -> Keys:
    """The keys in ``path``, created (0600) when the file does not exist.

    ``create=False`` (verifying the audit log): a missing file is a
    :class:`KeyFileError`, never a new key.
    """
    path = Path(path)
    if not create and not path.exists():
        raise KeyFileError(f"no key file at {path}: the audit log cannot be checked "
                           f"without its key (--key-file or $DVPI_KEY_FILE)")
    if not path.exists():
        # Written whole to a private temporary file, then linked into place: a second
        # process starting at the same moment either wins or reads the winner's key.
        tmp = write_private(path.with_name(f".{path.name}.new-{secrets.token_hex(4)}"),
                            secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)
            created = True
        except FileExistsError:
            created = False
        finally:
            tmp.unlink(missing_ok=True)
        if created:
            return Keys(path, bytes.fromhex(path.read_text().strip()), True)
    text = path.read_text().strip()
    try:
        master = bytes.fromhex(text)
    except ValueError:
        master = b""
    if len(master) < 32:
        raise KeyFileError(f"{path} is not a dvpi key file (64 hex digits)")
    if not is_private(path):
        restrict(path)
    return Keys(path, master, False)
