"""Unsigned pool transactions for a trader's own wallet, checked first so that a refusal costs no gas.

``build_transactions`` reads the pool and the trader's balances and allowances, refuses what the contract
would refuse (an ineligible class, a cap, a balance short on either side, a paused pool) with a coded error
naming the field, and returns the transactions to sign in order: an exact ERC-20 ``approve`` when the
pool's allowance is short, then the pool call, with a preview of what comes out. The server holds no
trader key and sends nothing; the same request twice gives the same answer while the chain is unchanged.
"""

from __future__ import annotations

from typing import Any

from web3.contract.contract import ContractFunction
from web3.exceptions import Web3Exception

from bridge.chain.reverts import ErrorDecoder
from bridge.chain.tx import GAS_HEADROOM
from bridge.pools.contract import (
    MAX_BENEFICIARY_BYTES,
    MAX_REASON_BYTES,
    NO_CAP,
    PoolHandle,
    check_swap,
    pool_retirement,
)
from bridge.pools.errors import PoolError, PoolErrorCode
from bridge.pools.schemas import PoolTransactionRequest, PoolTransactions, TradePreview, UnsignedTransaction
from bridge.pools.views import explain
from bridge.primitives import format_tonnes


def build_transactions(pool: PoolHandle, request: PoolTransactionRequest, *, decoder: ErrorDecoder) -> PoolTransactions:
    """The transactions of ``request`` (whose fields fit its action: the model checks) for its trader."""
    action, trader, amount = request.action, request.trader, request.amount
    symbol = pool.symbol()
    calls: list[tuple[str, str, ContractFunction]] = []
    if action == "deposit":
        token = _given(request.token)
        _check_depositable(pool, token, amount, field="token", supply_growth=amount)
        _check_holding(pool.token(token).functions.balanceOf(trader).call(), amount, "of this class token")
        calls += _approval(pool, trader, token, amount)
        calls.append(
            (
                "deposit",
                f"deposit {format_tonnes(amount)} t of the class token for {format_tonnes(amount)} {symbol}",
                pool.contract.functions.deposit(token, amount),
            )
        )
        preview = TradePreview(
            token_in=token,
            amount_in=str(amount),
            fee="0",
            token_out=pool.address,
            amount_out=str(amount),
            retired=False,
        )
    elif action == "swap":
        given, taken = _given(request.token_in), _given(request.token_out)
        check_swap(given, taken)
        received, fee = pool.preview_redeem(amount)
        _check_depositable(pool, given, amount, field="token_in", supply_growth=fee)
        _check_pool_holds(pool, taken, received, field="token_out")
        _check_holding(pool.token(given).functions.balanceOf(trader).call(), amount, "of the class token given")
        calls += _approval(pool, trader, given, amount)
        calls.append(
            (
                "swap",
                f"give {format_tonnes(amount)} t of one class for {format_tonnes(received)} t of another",
                pool.contract.functions.swap(given, taken, amount),
            )
        )
        preview = TradePreview(
            token_in=given,
            amount_in=str(amount),
            fee=str(fee),
            token_out=taken,
            amount_out=str(received),
            retired=False,
        )
    else:  # redeem, redeem_and_retire: pool tokens in, a class out (any held class, whatever the rules)
        token = _given(request.token)
        retire = action == "redeem_and_retire"
        beneficiary, reason = _retirement_details(request) if retire else ("", "")
        received, fee = pool.preview_redeem(amount)
        _check_holding(pool.balance_of(trader), amount, f"{symbol} (pool tokens)")
        _check_pool_holds(pool, token, received, field="token")
        if retire:
            calls.append(
                (
                    "redeem_and_retire",
                    f"give {format_tonnes(amount)} {symbol} and retire {format_tonnes(received)} t for {beneficiary}",
                    pool.contract.functions.redeemAndRetire(token, amount, pool_retirement(beneficiary, reason)),
                )
            )
        else:
            calls.append(
                (
                    "redeem",
                    f"give {format_tonnes(amount)} {symbol} for {format_tonnes(received)} t of the class",
                    pool.contract.functions.redeem(token, amount),
                )
            )
        preview = TradePreview(
            token_in=pool.address,
            amount_in=str(amount),
            fee=str(fee),
            token_out=token,
            amount_out=str(received),
            retired=retire,
        )
    return PoolTransactions(
        pool=pool.address,
        action=action,
        trader=trader,
        chain_id=int(pool.w3.eth.chain_id),
        transactions=_unsigned(pool, trader, calls, decoder),
        preview=preview,
    )


def _given(value: str | None) -> str:
    assert value is not None  # the request model made sure
    return value


def _check_depositable(pool: PoolHandle, token: str, amount: int, *, field: str, supply_growth: int) -> None:
    """What ``deposit`` (and the deposit half of ``swap``) requires: open, eligible, within the caps."""
    if pool.contract.functions.paused().call():
        raise PoolError("the pool is paused: deposits and swaps wait", code=PoolErrorCode.POOL_PAUSED)
    eligible, reason = pool.is_eligible(token)
    if not eligible:
        credit_class = None if reason.name == "NOT_BRIDGE_TOKEN" else pool.credit_class(token)
        rule, message = explain(reason, pool.rules(), credit_class)
        raise PoolError(
            f"the pool does not take this class: {message}",
            code=PoolErrorCode.CLASS_NOT_ELIGIBLE,
            field=field,
            details={"reason": reason.name.lower(), "rule": rule},
        )
    holding, cap = pool.class_balance(token) + amount, pool.class_cap(token)
    if holding > cap:
        raise PoolError(
            f"the pool would hold {format_tonnes(holding)} t of this class, above {_cap_text(cap, 't')}",
            code=PoolErrorCode.POOL_CAP_EXCEEDED,
            field="amount",
            details={"cap": None if cap >= NO_CAP else str(cap), "holding": str(holding)},
        )
    supply, supply_cap = pool.total_supply() + supply_growth, pool.supply_cap()
    if supply > supply_cap:
        raise PoolError(
            f"the pool token's supply would reach {format_tonnes(supply)}, above {_cap_text(supply_cap, '')}".rstrip(),
            code=PoolErrorCode.POOL_CAP_EXCEEDED,
            field="amount",
            details={"cap": None if supply_cap >= NO_CAP else str(supply_cap), "supply": str(supply)},
        )


def _cap_text(cap: int, unit: str) -> str:
    """A cap as a refusal names it: the pool's own, or (a pool with cap "none") the most its uint128 can count."""
    if cap >= NO_CAP:
        return "the most a pool can count (2^128 - 1 wei); its cap is none"
    return f"its cap of {format_tonnes(cap)} {unit}".rstrip()


def _check_holding(balance: int, amount: int, what: str) -> None:
    if int(balance) < amount:
        raise PoolError(
            f"the trader holds {format_tonnes(int(balance))} t {what}, less than {format_tonnes(amount)} t",
            code=PoolErrorCode.INSUFFICIENT_BALANCE,
            field="amount",
            details={"balance": str(int(balance))},
        )


def _check_pool_holds(pool: PoolHandle, token: str, amount: int, *, field: str) -> None:
    held = pool.class_balance(token)
    if held < amount:
        raise PoolError(
            f"the pool holds {format_tonnes(held)} t of this class, "
            f"less than the {format_tonnes(amount)} t to take out",
            code=PoolErrorCode.INSUFFICIENT_POOL_BALANCE,
            field=field,
            details={"held": str(held)},
        )


def _retirement_details(request: PoolTransactionRequest) -> tuple[str, str]:
    beneficiary, reason = request.beneficiary or "", request.reason or ""
    # the contract counts bytes, the request model characters: a multi-byte name can pass one and not the other
    if not 0 < len(beneficiary.encode()) <= MAX_BENEFICIARY_BYTES:
        raise PoolError(
            f"a beneficiary of 1-{MAX_BENEFICIARY_BYTES} bytes is required",
            code=PoolErrorCode.INVALID_RETIREMENT_DETAILS,
            field="beneficiary",
        )
    if len(reason.encode()) > MAX_REASON_BYTES:
        raise PoolError(
            f"the reason must be at most {MAX_REASON_BYTES} bytes",
            code=PoolErrorCode.INVALID_RETIREMENT_DETAILS,
            field="reason",
        )
    return beneficiary, reason


def _approval(pool: PoolHandle, trader: str, token: str, amount: int) -> list[tuple[str, str, ContractFunction]]:
    """An exact approval of ``amount`` when the pool may not take that much yet (never an unlimited one)."""
    contract = pool.token(token)
    if int(contract.functions.allowance(trader, pool.address).call()) >= amount:
        return []
    description = f"approve the pool to take {format_tonnes(amount)} t of the class token"
    return [("approve", description, contract.functions.approve(pool.address, amount))]


def _unsigned(
    pool: PoolHandle, trader: str, calls: list[tuple[str, str, ContractFunction]], decoder: ErrorDecoder
) -> list[UnsignedTransaction]:
    """The calls as transactions. The first is estimated as the trader (a revert there is raised, decoded);
    a later one depends on the first being mined, so its gas is left to the wallet."""
    unsigned = []
    for index, (step, description, call) in enumerate(calls):
        tx: dict[str, Any] = {"from": trader, "to": call.address, "data": call._encode_transaction_data(), "value": 0}
        gas = None
        if index == 0:
            try:
                estimate = decoder.call(lambda tx=tx: pool.w3.eth.estimate_gas(tx))  # type: ignore[misc]
            except (Web3Exception, ValueError):
                # not a revert (decoder.call raised those, named): the node would not estimate, e.g. for a
                # trader without ether yet; the wallet estimates when it sends
                estimate = None
            gas = None if estimate is None else int(estimate * GAS_HEADROOM)
        unsigned.append(
            UnsignedTransaction(step=step, description=description, to=str(call.address), data=tx["data"], gas=gas)
        )
    return unsigned
