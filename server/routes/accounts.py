"""Register, sign in, devices and the wrapped data key."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter, Path, Request, Response, status

from server import accounts
from server.deps import PrincipalDep, ServicesDep, check_sign_in_limits, client_address
from server.errors import InvalidCredentialsError, InviteRequiredError, RegistrationClosedError
from server.schemas import (
    DEVICE_ID_PATTERN,
    AccountDeletionIn,
    Credentials,
    DeviceList,
    ErrorOut,
    KeyEnvelopeIn,
    KeyEnvelopeOut,
    PasswordChangeIn,
    SessionOut,
)

router = APIRouter(prefix="/v1", tags=["accounts"])
T = TypeVar("T")

_AUTH_ERRORS: dict[int | str, dict] = {
    401: {"model": ErrorOut},
    422: {"model": ErrorOut},
    429: {"model": ErrorOut},
    503: {"model": ErrorOut},
}


@router.post(
    "/accounts",
    status_code=status.HTTP_201_CREATED,
    responses={**_AUTH_ERRORS, 403: {"model": ErrorOut}, 409: {"model": ErrorOut}},
)
async def register(body: Credentials, request: Request, services: ServicesDep) -> SessionOut:
    """Create an account and sign this device in (unless the operator turned registration off)."""
    if not services.settings.allow_registration:
        raise RegistrationClosedError("This sync server does not accept new accounts. Ask its operator.")
    invite = services.settings.invite_code
    if invite is not None and not hmac.compare_digest((body.invite_code or "").encode(), invite.encode()):
        raise InviteRequiredError(
            "This sync server needs an invite code to register; ask its operator for it."
        )
    address = client_address(request)
    check_sign_in_limits(services, address, None)

    def work() -> SessionOut:
        with services.database.write() as session:
            return accounts.register(session, body)

    answer = await services.password_pool.run(work)
    services.sign_in_limits.succeeded(address, answer.username)
    return answer


@router.post("/sessions", responses=_AUTH_ERRORS)
async def sign_in(body: Credentials, request: Request, services: ServicesDep) -> SessionOut:
    """Sign a new device in with the account password."""
    address = client_address(request)
    username = accounts.normalise_username(body.username)
    check_sign_in_limits(services, address, username)

    def work() -> SessionOut:
        with services.database.write() as session:
            return accounts.sign_in(session, body)

    try:
        answer = await services.password_pool.run(work)
    except InvalidCredentialsError:
        services.sign_in_limits.failed(address, username)
        raise
    services.sign_in_limits.succeeded(address, username)
    return answer


@router.get("/devices", responses=_AUTH_ERRORS)
def list_devices(principal: PrincipalDep, services: ServicesDep) -> DeviceList:
    """The account's signed-in devices."""
    with services.database.read() as session:
        return DeviceList(devices=accounts.list_devices(session, principal))


@router.delete(
    "/devices/{device_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**_AUTH_ERRORS, 404: {"model": ErrorOut}},
)
def revoke_device(
    principal: PrincipalDep,
    services: ServicesDep,
    device_id: str = Path(pattern=DEVICE_ID_PATTERN),
) -> Response:
    """Sign a device out; its token stops working at once. Revoking the current device is signing out."""
    with services.database.write() as session:
        accounts.revoke_device(session, principal, device_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/key-envelope", responses=_AUTH_ERRORS)
def get_key_envelope(principal: PrincipalDep, services: ServicesDep) -> KeyEnvelopeOut:
    """The key salt and the data key wrapped by the sync passphrase (opaque to the server)."""
    with services.database.read() as session:
        return accounts.get_key_envelope(session, principal)


@router.put("/key-envelope", responses={**_AUTH_ERRORS, 409: {"model": ErrorOut}})
def put_key_envelope(body: KeyEnvelopeIn, principal: PrincipalDep, services: ServicesDep) -> KeyEnvelopeOut:
    """Store a (re-)wrapped data key if nobody else changed it since `expected_version`."""
    with services.database.write() as session:
        return accounts.put_key_envelope(session, principal, body.key_envelope, body.expected_version)


async def _checked_password_work(
    services: ServicesDep, request: Request, principal: accounts.Principal, work: Callable[[], T]
) -> T:
    """Password checks for a signed-in device count against the same limits as sign-in."""
    address = client_address(request)
    check_sign_in_limits(services, address, principal.username)
    try:
        return await services.password_pool.run(work)
    except InvalidCredentialsError:
        services.sign_in_limits.failed(address, principal.username)
        raise


@router.put(
    "/account/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**_AUTH_ERRORS, 403: {"model": ErrorOut}},
)
async def change_password(
    body: PasswordChangeIn, request: Request, principal: PrincipalDep, services: ServicesDep
) -> Response:
    """Change the account password; every other device is signed out and must sign in with the new one."""

    def work() -> int:
        with services.database.write() as session:
            return accounts.change_password(session, principal, body.current_password, body.new_password)

    await _checked_password_work(services, request, principal, work)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/account", status_code=status.HTTP_204_NO_CONTENT, responses=_AUTH_ERRORS)
async def delete_account(
    body: AccountDeletionIn, request: Request, principal: PrincipalDep, services: ServicesDep
) -> Response:
    """Delete the account and every record, device and key it had on this server, for good."""

    def work() -> None:
        with services.database.write() as session:
            accounts.delete_account(session, principal, body.password)

    await _checked_password_work(services, request, principal, work)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
