"""Local accounts: the users file (TOML), argon2id password hashes, roles and scopes.

The file holds, per user, a role (``analyst`` sees everything; ``leader`` sees its scopes), the
scopes (``division:D``, ``department:D``, ``unit:ID``) and an argon2id hash (argon2-cffi, the
memory-hard winner of the Password Hashing Competition, RFC 9106). No password is ever stored,
logged or taken as an argument. With ``--trusted-header`` the file only supplies roles and scopes
(entries may then have no hash). The file is written atomically with mode 0600; the service
re-reads it when it changes, so a removed user is locked out without a restart.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from benchmark.issues import UsageError

ROLES = ("analyst", "leader")
SCOPE_KINDS = ("division", "department", "unit")
NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")


def default_users_path() -> Path:
    return Path(os.environ.get("BENCHMARK_USERS") or Path("benchmark-out") / "users.toml")


@dataclass(frozen=True)
class Scope:
    kind: str  # division | department | unit
    value: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


def parse_scope(text: str) -> Scope:
    kind, sep, value = str(text).partition(":")
    if not sep or kind not in SCOPE_KINDS or not value.strip():
        raise UsageError(f"scope '{text}' is not of the form division:D, department:D or unit:ID")
    return Scope(kind, value.strip())


@dataclass(frozen=True)
class User:
    name: str
    role: str
    scopes: tuple[Scope, ...] = ()
    password_hash: str = field(default="", repr=False)

    @property
    def is_analyst(self) -> bool:
        return self.role == "analyst"

    def as_scope_dict(self) -> dict:
        """What the request carries (``scope["user"]``) and notebooks read via mo.app_meta()."""
        return {"username": self.name, "display_name": self.name, "is_authenticated": True,
                "role": self.role, "scopes": [str(s) for s in self.scopes]}


def _hasher():
    from argon2 import PasswordHasher

    # argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane): memory-hard, yet
    # 30 leaders logging in at once do not take a 2-core server's memory and CPU for seconds.
    # Older hashes keep verifying with the parameters stored in them.
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    if not stored_hash:
        return False
    try:
        return _hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# A hash of a random password, verified when the user is unknown so that a wrong user name costs
# as much time as a wrong password (no user enumeration by timing).
_DUMMY: list[str] = []


def dummy_verify(password: str) -> None:
    if not _DUMMY:
        _DUMMY.append(hash_password(os.urandom(16).hex()))
    verify_password(_DUMMY[0], password)


def read_users(path: str | Path) -> dict[str, User]:
    """The users of the file (empty when the file does not exist)."""
    p = Path(path)
    if not p.exists():
        return {}
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"the users file {p} cannot be read: {exc}") from None
    users = {}
    for name, item in dict(data.get("users", {})).items():
        role = str(item.get("role", ""))
        if role not in ROLES:
            raise UsageError(f"user '{name}' in {p} has role '{role}'; use analyst or leader")
        scopes = tuple(parse_scope(s) for s in item.get("scopes", []))
        users[name] = User(name, role, scopes, str(item.get("password_hash", "")))
    return users


def write_users(path: str | Path, users: dict[str, User]) -> None:
    """Write the file atomically, readable by its owner only."""
    import tomli_w

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    data = {"users": {u.name: {"role": u.role, "scopes": [str(s) for s in u.scopes],
                               **({"password_hash": u.password_hash} if u.password_hash else {})}
                      for u in sorted(users.values(), key=lambda u: u.name)}}
    text = ("# Users of 'benchmark serve' (benchmark users add). Passwords are argon2id hashes; "
            "no password is stored.\n" + tomli_w.dumps(data))
    tmp = p.with_name(f".{p.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, p)


def add_user(path: str | Path, name: str, role: str, scopes: list[str], password: str | None) -> User:
    """Add or replace a user; a leader needs at least one scope."""
    if not NAME.match(name):
        raise UsageError(f"user name '{name}' may only hold letters, digits and . _ @ - (at most 64)")
    if role not in ROLES:
        raise UsageError(f"role '{role}' is not analyst or leader")
    parsed = tuple(parse_scope(s) for s in scopes)
    if role == "leader" and not parsed:
        raise UsageError("a leader needs at least one --scope (division:D, department:D or unit:ID)")
    users = read_users(path)
    user = User(name, role, parsed, hash_password(password) if password else "")
    users[name] = user
    write_users(path, users)
    return user


class UsersFile:
    """The users file, re-read when its modification time changes."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None
        self._stamp: tuple[float, int] | None = None
        self._users: dict[str, User] = {}

    def get(self, name: str) -> User | None:
        if self.path is None:
            return None
        try:
            st = self.path.stat()
            stamp = (st.st_mtime, st.st_size)
        except OSError:
            stamp = None
        if stamp != self._stamp:
            self._users = read_users(self.path) if stamp else {}
            self._stamp = stamp
        return self._users.get(name)
