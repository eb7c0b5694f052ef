"""``benchmark users add NAME --role analyst|leader [--scope …] [--users FILE]`` (and ``list``, ``remove``)."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "users", help="manage the local accounts of 'benchmark serve'",
        description="Manage the users file of 'benchmark serve'. The password is asked for on the "
        "terminal (or read from standard input when that is not a terminal); it is never an argument "
        "and only its argon2id hash is stored.")
    parser.add_argument("--users", default=None, help="users file (default: $BENCHMARK_USERS or benchmark-out/users.toml)")
    action = parser.add_subparsers(dest="users_command", metavar="ACTION")
    add = action.add_parser("add", help="add or replace a user")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=("analyst", "leader"))
    add.add_argument("--scope", action="append", default=[], metavar="KIND:VALUE",
                     help="division:D, department:D or unit:ID (repeat for several); leaders need one")
    add.add_argument("--users", dest="users_file", default=None, help=argparse.SUPPRESS)
    add.add_argument("--no-password", action="store_true",
                     help="no local password (for --trusted-header single sign-on)")
    lst = action.add_parser("list", help="list users, roles and scopes")
    lst.add_argument("--users", dest="users_file", default=None, help=argparse.SUPPRESS)
    rm = action.add_parser("remove", help="remove a user")
    rm.add_argument("name", metavar="NAME")
    rm.add_argument("--users", dest="users_file", default=None, help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def read_password() -> str:
    """From the terminal twice (getpass, not echoed), or one line of standard input."""
    from benchmark.issues import UsageError

    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Repeat password: "):
            raise UsageError("the passwords differ; nothing was changed")
    else:
        first = sys.stdin.readline().rstrip("\r\n")
    if len(first) < 8:
        raise UsageError("the password must have at least 8 characters; nothing was changed")
    return first


def run(args: argparse.Namespace) -> int:
    from benchmark.issues import UsageError
    from benchmark.service.users import add_user, default_users_path, read_users, write_users

    path = getattr(args, "users_file", None) or args.users or default_users_path()
    if args.users_command == "add":
        password = None if args.no_password else read_password()
        user = add_user(path, args.name, args.role, args.scope, password)
        scopes = ", ".join(str(s) for s in user.scopes) or "everything"
        print(f"Saved {user.name} ({user.role}; {scopes}) in {path}")
        return 0
    if args.users_command == "remove":
        users = read_users(path)
        if args.name not in users:
            raise UsageError(f"there is no user '{args.name}' in {path}")
        del users[args.name]
        write_users(path, users)
        print(f"Removed {args.name} from {path}")
        return 0
    if args.users_command == "list":
        for u in read_users(path).values():
            print(f"{u.name}\t{u.role}\t{', '.join(str(s) for s in u.scopes)}")
        return 0
    raise UsageError("say what to do: benchmark users add|list|remove (see --help)")
