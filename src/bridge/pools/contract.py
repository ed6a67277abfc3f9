"""Deploy carbon pools and use them from Python: typed helpers for traders and pool operators.

``deploy_pool`` deploys one ``CarbonPool`` as a ``PoolSpec`` resolves it (a preset's, or one from rules);
``PoolHandle`` wraps a deployed pool.
Amounts are in wei of the pool and class tokens (18 decimals, 1e18 = one tonne).

Errors: what Python can check without the chain (a non-positive amount, a swap of a class for itself,
malformed rules, an empty beneficiary) raises ``PoolError`` with a ``PoolErrorCode``; anything the pool
refuses raises ``ContractRevert`` naming the pool's custom error (``PoolClassNotEligible``,
``PoolInsufficientClassBalance``, ``PoolPaused``, ...) with its arguments. Transactions are sent through
``TxSender``, which catches a revert at gas estimation, so a refused call never reaches the chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from web3 import Web3
from web3.contract import Contract
from web3.exceptions import BadFunctionCallOutput, ContractLogicError
from web3.logs import DISCARD
from web3.types import TxReceipt

from bridge.chain.attestation import Adjustment, CreditClass
from bridge.chain.compiler import Artifacts
from bridge.chain.retirement import MAX_NAME_BYTES as MAX_BENEFICIARY_BYTES
from bridge.chain.retirement import MAX_REASON_BYTES, RetirementDetails
from bridge.chain.tx import TxSender
from bridge.pools.errors import PoolError, PoolErrorCode
from bridge.pools.presets import PRESETS, PoolPreset
from bridge.pools.rules import Eligibility, EligibilityReason, PoolRules
from bridge.pools.spec import PoolSpec

POOL_CONTRACT = "CarbonPool"
TOKEN_CONTRACT = "CarbonCreditToken"
MAX_FEE_BPS = 1_000
NO_CAP = 2**128 - 1
UINT256_MAX = 2**256 - 1

TokenRef = str | Contract


class ClassHolding(NamedTuple):
    """What a pool holds of one class: the amount it accounts for (wei) and the class's attributes."""

    amount: int
    credit_class: CreditClass


class Preview(NamedTuple):
    received: int
    fee: int


def _address(token: TokenRef, field: str = "token") -> str:
    value = token.address if isinstance(token, Contract) else token
    if not isinstance(value, str) or not Web3.is_address(value):
        raise PoolError(f"{value!r} is not an address", code=PoolErrorCode.INVALID_POOL_REQUEST, field=field)
    return str(Web3.to_checksum_address(value))


def check_swap(given: str, taken: str) -> None:
    """A swap gives one class and takes another (``same_class_swap`` otherwise, naming ``token_out``)."""
    if given == taken:
        raise PoolError(
            f"a swap gives one class and takes another; both sides are {given}",
            code=PoolErrorCode.SAME_CLASS_SWAP,
            field="token_out",
        )


def _amount(amount: int, field: str = "amount") -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= UINT256_MAX:
        raise PoolError(
            f"{amount!r} is not a positive whole number of wei", code=PoolErrorCode.INVALID_POOL_AMOUNT, field=field
        )
    return amount


def _cap(cap: int | None, field: str) -> int:
    if cap is None:
        return NO_CAP
    if isinstance(cap, bool) or not isinstance(cap, int) or not 0 <= cap <= NO_CAP:
        raise PoolError(f"{cap!r} is not a cap in wei", code=PoolErrorCode.INVALID_POOL_AMOUNT, field=field)
    return cap


def _fee(fee_bps: int) -> int:
    if isinstance(fee_bps, bool) or not isinstance(fee_bps, int) or not 0 <= fee_bps <= MAX_FEE_BPS:
        raise PoolError(
            f"fee {fee_bps!r} is not 0-{MAX_FEE_BPS} basis points", code=PoolErrorCode.INVALID_POOL_FEE, field="fee_bps"
        )
    return fee_bps


def _class_of(value: Any) -> CreditClass:
    program, project_id, vintage_start, vintage_end, methodology, country, labels, adjustment, unit_decimals = value
    try:
        adjustment = Adjustment(adjustment)
    except ValueError:
        adjustment = int(adjustment)
    # Built without validation: the token holds what the bridge accepted, which this model need not re-judge.
    return CreditClass.model_construct(
        program=program,
        project_id=project_id,
        vintage_start=int(vintage_start),
        vintage_end=int(vintage_end),
        methodology=methodology,
        host_country=country,
        labels=int(labels),
        adjustment=adjustment,
        unit_decimals=int(unit_decimals),
    )


@dataclass
class PoolHandle:
    """A deployed pool. ``operator`` sends management calls (rules, caps, fee) unless another is given.
    With ``gas`` set, every transaction is sent with that gas limit after one dry run (no estimation)."""

    contract: Contract
    operator: TxSender
    artifacts: Artifacts
    gas: int | None = None

    @classmethod
    def attach(cls, operator: TxSender, address: str, artifacts: Artifacts, *, gas: int | None = None) -> PoolHandle:
        contract = operator.w3.eth.contract(address=_address(address, "address"), abi=artifacts[POOL_CONTRACT].abi)
        return cls(contract, operator, artifacts, gas)

    # ------------------------------------------------------------------ views

    @property
    def address(self) -> str:
        return str(self.contract.address)

    @property
    def w3(self) -> Web3:
        return self.operator.w3

    def name(self) -> str:
        return str(self.contract.functions.name().call())

    def symbol(self) -> str:
        return str(self.contract.functions.symbol().call())

    def rules(self) -> PoolRules:
        """The current rules, as the chain holds them."""
        return PoolRules.from_tuple(self.contract.functions.rules().call(), strict=False)

    def rules_version(self) -> int:
        return int(self.contract.functions.rulesVersion().call())

    def fee_bps(self) -> int:
        return int(self.contract.functions.feeBps().call())

    def total_supply(self) -> int:
        return int(self.contract.functions.totalSupply().call())

    def balance_of(self, account: str) -> int:
        return int(self.contract.functions.balanceOf(_address(account, "account")).call())

    def supply_cap(self) -> int:
        return int(self.contract.functions.supplyCap().call())

    def class_cap(self, token: TokenRef) -> int:
        return int(self.contract.functions.classCap(_address(token)).call())

    def class_balance(self, token: TokenRef) -> int:
        return int(self.contract.functions.classBalance(_address(token)).call())

    def token(self, address: str) -> Contract:
        """A class token's contract handle."""
        return self.w3.eth.contract(address=_address(address), abi=self.artifacts[TOKEN_CONTRACT].abi)

    def credit_class(self, token: TokenRef) -> CreditClass:
        """The class attributes a class token carries (its ``creditClass()``)."""
        return _class_of(self.token(_address(token)).functions.creditClass().call())

    def composition(self) -> dict[str, ClassHolding]:
        """Every class the pool holds: token address -> amount (wei) and class attributes.
        The amounts sum to the pool token's total supply."""
        tokens, amounts = self.contract.functions.composition().call()
        return {
            str(token): ClassHolding(int(amount), self.credit_class(token))
            for token, amount in zip(tokens, amounts, strict=True)
        }

    def is_eligible(self, token: TokenRef) -> Eligibility:
        """Whether ``token`` may be deposited under the current rules (caps and pause aside), else why not."""
        eligible, reason = self.contract.functions.isEligible(_address(token)).call()
        return Eligibility(bool(eligible), EligibilityReason(reason))

    def preview_redeem(self, amount: int) -> Preview:
        """What redeeming (or swapping) ``amount`` gives at the current fee: (received, fee)."""
        received, fee = self.contract.functions.previewRedeem(_amount(amount)).call()
        return Preview(int(received), int(fee))

    # ------------------------------------------------------------------ trading

    def approve_if_needed(self, trader: TxSender, token: TokenRef, amount: int) -> TxReceipt | None:
        """Approve the pool for ``amount`` of ``token`` unless the trader's allowance already covers it."""
        contract = self.token(_address(token))
        try:
            allowance = int(contract.functions.allowance(trader.address, self.address).call())
        except (BadFunctionCallOutput, ContractLogicError):
            return None  # not a token: the pool's own call refuses it and names why (PoolNotBridgeToken)
        if allowance >= amount:
            return None
        return self._send(trader, contract.functions.approve(self.address, amount))

    def deposit(self, trader: TxSender, token: TokenRef, amount: int) -> TxReceipt:
        """Deposit ``amount`` of a class token for as many pool tokens (approving the pool first if needed)."""
        address, amount = _address(token), _amount(amount)
        self.approve_if_needed(trader, address, amount)
        return self._send(trader, self.contract.functions.deposit(address, amount))

    def redeem(self, trader: TxSender, token: TokenRef, amount: int) -> int:
        """Give ``amount`` pool tokens for ``amount - fee`` of the class ``token``; returns the amount received."""
        address, amount = _address(token), _amount(amount)
        receipt = self._send(trader, self.contract.functions.redeem(address, amount))
        event = self._event(receipt, "Redeemed")
        return int(event["amount"]) - int(event["fee"])

    def swap(self, trader: TxSender, token_in: TokenRef, token_out: TokenRef, amount: int) -> int:
        """Give ``amount`` of ``token_in`` for ``amount - fee`` of ``token_out`` in one call (approving first
        if needed); returns the amount of ``token_out`` received."""
        given, taken, amount = _address(token_in, "token_in"), _address(token_out, "token_out"), _amount(amount)
        check_swap(given, taken)
        self.approve_if_needed(trader, given, amount)
        receipt = self._send(trader, self.contract.functions.swap(given, taken, amount))
        event = self._event(receipt, "Swapped")
        return int(event["amount"]) - int(event["fee"])

    def redeem_and_retire(
        self, trader: TxSender, token: TokenRef, amount: int, *, beneficiary: str, reason: str = ""
    ) -> int:
        """Give ``amount`` pool tokens and retire ``amount - fee`` of the class through the bridge for
        ``beneficiary``; returns the bridge's certificate id."""
        address, amount = _address(token), _amount(amount)
        if not isinstance(beneficiary, str) or not 0 < len(beneficiary.encode()) <= MAX_BENEFICIARY_BYTES:
            raise PoolError(
                f"a beneficiary of 1-{MAX_BENEFICIARY_BYTES} bytes is required",
                code=PoolErrorCode.INVALID_RETIREMENT_DETAILS,
                field="beneficiary",
            )
        if not isinstance(reason, str) or len(reason.encode()) > MAX_REASON_BYTES:
            raise PoolError(
                f"the reason must be at most {MAX_REASON_BYTES} bytes",
                code=PoolErrorCode.INVALID_RETIREMENT_DETAILS,
                field="reason",
            )
        call = self.contract.functions.redeemAndRetire(address, amount, pool_retirement(beneficiary, reason))
        receipt = self._send(trader, call)
        return int(self._event(receipt, "RedeemedAndRetired")["certificateId"])

    # ------------------------------------------------------------------ management

    def set_rules(self, rules: PoolRules | dict[str, Any], *, sender: TxSender | None = None) -> int:
        """Replace the rules (needs POOL_MANAGER_ROLE); returns the new rules version. Classes already held
        stay redeemable whatever the new rules say."""
        parsed = PoolRules.parse(rules)
        receipt = self._send(sender, self.contract.functions.setRules(parsed.to_tuple()))
        return int(self._event(receipt, "RulesChanged")["version"])

    def set_fee(self, fee_bps: int, *, sender: TxSender | None = None) -> TxReceipt:
        return self._send(sender, self.contract.functions.setFee(_fee(fee_bps)))

    def set_supply_cap(self, cap: int | None, *, sender: TxSender | None = None) -> TxReceipt:
        """Cap the pool token's supply at ``cap`` wei (None = no cap)."""
        return self._send(sender, self.contract.functions.setSupplyCap(_cap(cap, "supply_cap")))

    def set_default_class_cap(self, cap: int | None, *, sender: TxSender | None = None) -> TxReceipt:
        """Cap every class without its own cap at ``cap`` wei (None = no cap)."""
        call = self.contract.functions.setDefaultClassCap(_cap(cap, "class_cap"))
        return self._send(sender, call)

    def set_class_cap(self, token: TokenRef, cap: int | None, *, sender: TxSender | None = None) -> TxReceipt:
        call = self.contract.functions.setClassCap(_address(token), _cap(cap, "class_cap"))
        return self._send(sender, call)

    # ------------------------------------------------------------------ internals

    def _send(self, sender: TxSender | None, call: Any) -> TxReceipt:
        return (sender or self.operator).transact(call, gas=self.gas)

    def _event(self, receipt: TxReceipt, name: str) -> Any:
        events = getattr(self.contract.events, name)().process_receipt(receipt, errors=DISCARD)
        if not events:  # cannot happen for a successful call of the matching function
            raise PoolError(f"no {name} event in the receipt", code=PoolErrorCode.INVALID_POOL_REQUEST)
        return events[0]["args"]


def deploy_pool(
    sender: TxSender,
    bridge_address: str,
    spec: PoolSpec,
    *,
    admin: str,
    artifacts: Artifacts,
    gas: int | None = None,
    tx_gas: int | None = None,
) -> PoolHandle:
    """Deploy the pool ``spec`` resolves (``PoolSpec.of_preset``, ``PoolSpec.of_request``, or one written out).

    Caps (wei) are set right after deployment, which needs ``sender`` to be ``admin``. ``gas`` (deployment) and
    ``tx_gas`` (the handle's transactions) skip gas estimation: one dry run instead. The handle's operator is
    ``sender``.
    """
    for field, value in (("name", spec.name), ("symbol", spec.symbol)):
        if not value:
            raise PoolError(f"a pool needs a {field}", code=PoolErrorCode.INVALID_POOL_REQUEST, field=field)
    fee = _fee(spec.fee_bps)
    admin, fee_recipient = _address(admin, "admin"), _address(spec.fee_recipient, "fee_recipient")
    caps = (_cap(spec.supply_cap, "supply_cap"), _cap(spec.class_cap, "class_cap"))
    if caps != (NO_CAP, NO_CAP) and admin != _address(sender.address, "sender"):
        raise PoolError(
            "caps are set right after deployment by the deploying account, which must then be the admin",
            code=PoolErrorCode.POOL_NOT_ADMIN,
            field="admin",
        )
    contract = sender.deploy(
        artifacts[POOL_CONTRACT],
        spec.name,
        spec.symbol,
        admin,
        fee_recipient,
        fee,
        spec.rules.to_tuple(),
        _address(bridge_address, "bridge_address"),
        gas=gas,
    )
    handle = PoolHandle(contract, sender, artifacts, tx_gas)
    if caps[0] != NO_CAP:
        handle.set_supply_cap(caps[0])
    if caps[1] != NO_CAP:
        handle.set_default_class_cap(caps[1])
    return handle


def deploy_presets(
    sender: TxSender,
    bridge_address: str,
    *,
    admin: str,
    fee_recipient: str,
    artifacts: Artifacts,
    presets: list[PoolPreset | str] | None = None,
    gas: int | None = None,
    tx_gas: int | None = None,
) -> dict[str, PoolHandle]:
    """Deploy every preset (or the ones given), keyed by preset key."""
    specs = [PoolSpec.of_preset(p, fee_recipient) for p in (presets or list(PRESETS.values()))]
    return {
        str(spec.preset): deploy_pool(
            sender, bridge_address, spec, admin=admin, artifacts=artifacts, gas=gas, tx_gas=tx_gas
        )
        for spec in specs
    }


def pool_retirement(beneficiary: str, reason: str) -> tuple[Any, ...]:
    """The bridge's ``RetirementDetails`` of a pool retirement: a beneficiary and a reason (the pool's trade
    takes no more; a holder who states a purpose, a period or a jurisdiction retires through the bridge)."""
    # every other field keeps its default (unspecified purpose, no period, no jurisdiction)
    return RetirementDetails.model_construct(beneficiary_name=beneficiary, reason=reason).as_tuple()
