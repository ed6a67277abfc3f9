"""Acting as a token holder on a local bridge, and driving its engine."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3.logs import DISCARD

from bridge.chain.retirement import Purpose, RetirementDetails
from bridge.engine.schemas import RedemptionPublic, TokenizationPublic, TokenizationRequest
from bridge.primitives import TONNE
from bridge.registry.demo import DemoRegistry
from bridge.registry.schemas import UnitBlockPublic
from bridge.service import BridgeService


def drive(service: BridgeService, rounds: int = 6) -> int:
    """Drive the engine to rest, mining blocks so confirmations are reached; how many steps moved."""
    return service.drive(rounds)


def request_redemption(
    service: BridgeService, holder: LocalAccount, *, class_id: str, tonnes: int, account: int
) -> int:
    """``holder`` asks on-chain to redeem ``tonnes`` of the class to registry ``account``; the redemption id."""
    bridge = service.onchain.bridge
    call = bridge.functions.requestRedemption(HexBytes(class_id), tonnes * TONNE, str(account))
    receipt = service.onchain.sender(holder).transact(call)
    return int(bridge.events.RedemptionRequested().process_receipt(receipt, errors=DISCARD)[0]["args"]["redemptionId"])


def retire(
    service: BridgeService,
    holder: LocalAccount,
    *,
    class_id: str,
    amount: int,
    beneficiary: str = "Acme Airlines",
    reason: str = "2025 scope 1 offsetting",
    details: RetirementDetails | None = None,
) -> int:
    """``holder`` retires ``amount`` wei of the class on-chain (fractions allowed) for ``beneficiary``
    (voluntary offsetting), or as ``details`` state; the certificate id."""
    bridge = service.onchain.bridge
    stated = details or RetirementDetails(
        beneficiary_name=beneficiary, reason=reason, purpose=Purpose.VOLUNTARY_OFFSETTING
    )
    call = bridge.functions.retire(HexBytes(class_id), amount, stated.as_tuple())
    receipt = service.onchain.sender(holder).transact(call)
    return int(bridge.events.Retired().process_receipt(receipt, errors=DISCARD)[0]["args"]["certificateId"])


@dataclass
class LocalBridgeHelper:
    """A local bridge seen by a test: its demo accounts, a holder, and the flows in one call each."""

    service: BridgeService

    def __post_init__(self) -> None:
        self._keys = count(1)

    @property
    def holder(self) -> LocalAccount:
        return self.service.onchain.users[0]

    @property
    def demo(self) -> DemoRegistry:
        """The demo registry the local bridge was built on."""
        if self.service.demo is None:
            raise AssertionError("not a local bridge: it has no demo registry (use bridge.local.local_service)")
        return self.service.demo

    def account(self, name: str) -> int:
        """A demo registry account id: custodian, trader, broker or exchange."""
        return int(self.demo.accounts[name])

    def held_blocks(self, name: str = "custodian") -> list[UnitBlockPublic]:
        """Unfrozen blocks held by the demo account ``name`` (candidates to tokenize)."""
        blocks = self.demo.client().list_blocks(account_id=self.account(name), status="held")
        return [b for b in blocks if not b.frozen]

    def tokenize(
        self, *, quantity: int | None = None, to: LocalAccount | None = None, serial: str | None = None
    ) -> TokenizationPublic:
        """Tokenize a block the demo custodian holds (the first eligible one by default) and drive the
        engine until the tokens are minted."""
        from bridge.errors import CodedError

        candidates = [serial] if serial else [b.serial for b in self.held_blocks()]
        last: CodedError | None = None
        for candidate in candidates:
            try:
                tokenization = self.service.tokenize(
                    TokenizationRequest(
                        idempotency_key=f"bridge-testing-{next(self._keys):06d}",
                        custodian_account=self.account("custodian"),
                        serial=candidate,
                        quantity=quantity,
                        recipient=(to or self.holder).address,
                    )
                )
            except CodedError as exc:
                last = exc
                continue
            self.drive()
            return self.service.tokenization(tokenization.id)
        raise AssertionError(f"no demo block could be tokenized: {last}")

    def balance(self, class_id: str, holder: LocalAccount | None = None) -> int:
        token = self.service.engine.chain.class_token(class_id)
        if token is None:
            return 0
        contract = self.service.onchain.deployment.token_at(token)
        return int(contract.functions.balanceOf((holder or self.holder).address).call())

    def request_redemption(
        self, *, class_id: str, tonnes: int, account: int | str, holder: LocalAccount | None = None
    ) -> int:
        registry_account = self.account(account) if isinstance(account, str) else account
        return request_redemption(
            self.service, holder or self.holder, class_id=class_id, tonnes=tonnes, account=registry_account
        )

    def redeem(self, *, class_id: str, tonnes: int, account: int | str) -> RedemptionPublic:
        """Request a redemption as the holder and drive the engine until it is done."""
        redemption_id = self.request_redemption(class_id=class_id, tonnes=tonnes, account=account)
        self.drive()
        return self.service.redemption(redemption_id)

    def retire(
        self,
        *,
        class_id: str,
        amount: int,
        beneficiary: str = "Acme Airlines",
        holder: LocalAccount | None = None,
        details: RetirementDetails | None = None,
    ) -> int:
        return retire(
            self.service,
            holder or self.holder,
            class_id=class_id,
            amount=amount,
            beneficiary=beneficiary,
            details=details,
        )

    def drive(self, rounds: int = 6) -> int:
        return drive(self.service, rounds)
