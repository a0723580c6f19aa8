"""`sync setup|now|status|logout` and `serve-sync`: end-to-end encrypted sync from the command line.

Errors are `SyncError`s whose one-sentence message the CLI prints (no tracebacks). Passwords are asked for
on the terminal; scripts can pass them in ARIS_SYNC_PASSWORD and ARIS_SYNC_PASSPHRASE instead.
"""

from __future__ import annotations

import getpass
import os
import platform
import sys

from app.cli import CommandContext, Commands
from app.cli.common import print_json
from app.errors import ArisError
from app.sync.errors import SyncError

PASSWORD_ENV = "ARIS_SYNC_PASSWORD"
PASSPHRASE_ENV = "ARIS_SYNC_PASSPHRASE"
NEW_PASSPHRASE_ENV = "ARIS_SYNC_NEW_PASSPHRASE"
NEW_PASSWORD_ENV = "ARIS_SYNC_NEW_PASSWORD"
INVITE_ENV = "ARIS_SYNC_INVITE_CODE"


def register(commands: Commands) -> None:
    """Add `sync` and `serve-sync` to the CLI."""
    sync = commands.add_parser("sync", help="end-to-end encrypted sync with your own sync server")
    actions = sync.add_subparsers(dest="sync_action", metavar="ACTION", required=True)

    setup = actions.add_parser(
        "setup", help="sign this device in to a sync server (or --register an account)"
    )
    setup.add_argument("--server", required=True, help="sync server URL, e.g. https://sync.example.org")
    setup.add_argument("--username", required=True)
    setup.add_argument("--register", action="store_true", help="create the account first")
    setup.add_argument("--device-name", default=platform.node() or "device", help="shown in the device list")
    setup.add_argument(
        "--insecure-file-secrets",
        action="store_true",
        help="no OS keyring here: keep the token and key in a file only you can read (less safe)",
    )
    setup.add_argument(
        "--invite-code",
        default=os.environ.get(INVITE_ENV),
        help=f"with --register, on a server that asks for one (or {INVITE_ENV})",
    )
    setup.set_defaults(handler=_setup)

    now = actions.add_parser("now", help="sync once, now")
    now.add_argument("--json", action="store_true", help="print the round's report as JSON")
    now.add_argument(
        "--allow-deletions",
        action="store_true",
        help="apply deletions of a large share of your memories made on another device (asked for otherwise)",
    )
    now.set_defaults(handler=_now)

    status = actions.add_parser("status", help="last sync, pending changes and errors")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.set_defaults(handler=_status)

    logout = actions.add_parser("logout", help="sign this device out; local data stays")
    logout.set_defaults(handler=_logout)

    passphrase = actions.add_parser(
        "passphrase", help="change the sync passphrase (your data stays as it is)"
    )
    passphrase.set_defaults(handler=_passphrase)

    password = actions.add_parser(
        "password", help="change the account password (every other device is signed out)"
    )
    password.set_defaults(handler=_password)

    delete = actions.add_parser(
        "delete-account", help="delete the account and all its data on the server (local data stays)"
    )
    delete.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    delete.set_defaults(handler=_delete_account)

    rotate = actions.add_parser(
        "rotate-key", help="new data key, every record re-encrypted (after revoking a lost or stolen device)"
    )
    rotate.set_defaults(handler=_rotate_key)

    unlock = actions.add_parser(
        "unlock", help="take up a data key rotated on another device (asks the passphrase)"
    )
    unlock.set_defaults(handler=_unlock)

    devices = actions.add_parser("devices", help="list the account's signed-in devices")
    devices.add_argument("--json", action="store_true", help="print the list as JSON")
    devices.set_defaults(handler=_devices)

    revoke = actions.add_parser("revoke", help="sign another device out (e.g. a lost laptop)")
    revoke.add_argument("device_id", help="from `sync devices`")
    revoke.set_defaults(handler=_revoke)

    serve = commands.add_parser("serve-sync", help="run the sync server (same options as `python -m server`)")
    from server.config import add_server_arguments

    add_server_arguments(serve)
    serve.set_defaults(handler=_serve)


def _secret(env: str, prompt: str, *, confirm: bool = False) -> str:
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise SyncError(f"{prompt} needed: run in a terminal, or set {env}.")
    value = getpass.getpass(f"{prompt}: ")
    if confirm and getpass.getpass(f"{prompt} (again): ") != value:
        raise SyncError("The two entries differ; nothing was changed.")
    return value


def _setup(ctx: CommandContext) -> int:
    from app.sync.service import SetupRequest, setup

    args = ctx.args
    password = _secret(PASSWORD_ENV, "Account password", confirm=args.register)
    passphrase = _secret(PASSPHRASE_ENV, "Sync passphrase (encrypts your data; the server never sees it)")
    account = setup(
        ctx.paths,
        SetupRequest(
            server_url=args.server,
            username=args.username,
            password=password,
            passphrase=passphrase,
            device_name=args.device_name,
            register=args.register,
            insecure_file_secrets=args.insecure_file_secrets,
            invite_code=args.invite_code,
        ),
    )
    print(
        f"Sync is set up: {account.username} at {account.server_url} as device '{account.device_name}' "
        f"(secrets in the {account.secrets_backend.value}). Run `python main.py sync now` to sync."
    )
    return 0


def _now(ctx: CommandContext) -> int:
    from app.sync.service import sync_now

    report = sync_now(ctx.paths, allow_deletions=ctx.args.allow_deletions)
    if ctx.args.json:
        print_json(report.__dict__)
    else:
        print(
            f"Synced: {report.pulled} received ({report.applied} applied), {report.pushed} sent, "
            f"{report.pending} still pending."
        )
    if report.server_reset:
        print(
            "The sync server was restored from a backup or replaced: this device read the whole feed again and "
            "offered everything it has, so nothing the server lost is missing."
        )
    if report.unreadable:
        print(
            f"{report.unreadable} record(s) from another device need a newer version of Aris; they are kept here "
            "and applied once you update."
        )
    if report.tampered:
        print(
            f"aris: {len(report.tampered)} record(s) on the server failed their integrity check (altered, or "
            f"encrypted with another key) and were not applied; {len(report.repaired)} were replaced on the server "
            "by this device's good copies, and your copies are unchanged.",
            file=sys.stderr,
        )
        return 1
    return 0


def _status(ctx: CommandContext) -> int:
    from app.sync.service import overview

    status = overview(ctx.paths)
    if ctx.args.json:
        print_json(status.to_dict())
        return 0
    if not status.configured:
        print(
            "Sync is off on this device. Set it up with `python main.py sync setup --server URL --username NAME`."
        )
        return 0
    print(f"Server:       {status.server_url} (as {status.username}, device {status.device_id})")
    print(f"Secrets:      {status.secrets_backend}")
    print(f"Last sync:    {status.last_sync_at or 'never'}")
    print(f"Pending:      {status.pending} local change(s)")
    if status.rejected_records:
        print(
            f"Damaged:      {status.rejected_records} record(s) on the server failed their integrity check in "
            f"the last round ({status.repaired_records} replaced by this device's copies)"
        )
    if status.unreadable_records:
        print(f"Kept aside:   {status.unreadable_records} record(s) need a newer version of Aris")
    if status.last_error_code:
        print(f"Last error:   {status.last_error_message} ({status.last_error_code})")
    return 0


def _logout(ctx: CommandContext) -> int:
    from app.sync.service import logout

    if logout(ctx.paths):
        print("Signed out; this device's token is revoked. Local data is unchanged.")
    else:
        print(
            "Signed out on this device, but the server could not be reached to revoke the token: revoke it "
            "from another device later. Local data is unchanged."
        )
    return 0


def _passphrase(ctx: CommandContext) -> int:
    from app.sync.service import change_passphrase

    old = _secret(PASSPHRASE_ENV, "Current sync passphrase")
    new = _secret(NEW_PASSPHRASE_ENV, "New sync passphrase", confirm=True)
    change_passphrase(ctx.paths, old, new)
    print(
        "The sync passphrase is changed. Devices already set up keep syncing; new ones need the new passphrase."
    )
    return 0


def _password(ctx: CommandContext) -> int:
    from app.sync.service import change_account_password

    current = _secret(PASSWORD_ENV, "Current account password")
    new = _secret(NEW_PASSWORD_ENV, "New account password", confirm=True)
    change_account_password(ctx.paths, current, new)
    print(
        "The account password is changed, and every other device was signed out: sign them in again with "
        "`python main.py sync setup` and the new password. Your data and sync passphrase are unchanged."
    )
    return 0


def _delete_account(ctx: CommandContext) -> int:
    from app.sync.service import delete_server_account

    if not ctx.args.yes:
        raise SyncError(
            "Deleting the account removes all its data from the sync server for good; "
            "run again with --yes to do it. Data on your devices stays."
        )
    delete_server_account(ctx.paths, _secret(PASSWORD_ENV, "Account password"))
    print("The account and all its data are deleted from the sync server. Data on this device is unchanged.")
    return 0


def _rotate_key(ctx: CommandContext) -> int:
    from app.sync.service import rotate_key

    count = rotate_key(ctx.paths, _secret(PASSPHRASE_ENV, "Sync passphrase"))
    print(
        f"New data key in use: {count} record(s) re-encrypted and sent. Other devices ask once for the sync "
        "passphrase (`python main.py sync unlock`); a revoked device cannot read anything written from now on."
    )
    return 0


def _unlock(ctx: CommandContext) -> int:
    from app.sync.service import unlock

    unlock(ctx.paths, _secret(PASSPHRASE_ENV, "Sync passphrase"))
    print("This device has the account's current key. Run `python main.py sync now` to sync.")
    return 0


def _devices(ctx: CommandContext) -> int:
    from app.sync.service import list_devices

    devices = list_devices(ctx.paths)
    if ctx.args.json:
        print_json([d.__dict__ for d in devices])
        return 0
    for device in devices:
        marker = "*" if device.current else " "
        print(f"{marker} {device.device_id}  {device.name:<24} last seen {device.last_seen_at}")
    return 0


def _revoke(ctx: CommandContext) -> int:
    from app.sync.service import revoke_device

    revoke_device(ctx.paths, ctx.args.device_id)
    print(
        f"Device {ctx.args.device_id} is signed out; its token no longer works. It still holds the data key: if it "
        "was lost or stolen, run `python main.py sync rotate-key` so it cannot read anything written from now on."
    )
    return 0


def _serve(ctx: CommandContext) -> int:
    from server.config import settings_from_args
    from server.main import run

    try:
        settings = settings_from_args(ctx.args)
    except ValueError as error:
        raise ArisError(f"Invalid server option: {error}.") from error
    return run(settings)
