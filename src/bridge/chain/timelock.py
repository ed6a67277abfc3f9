"""The bridge's admin: an OpenZeppelin TimelockController. A change to the bridge (verifiers, threshold, mint
cap, roles, unpause) is scheduled by a proposer and executed once the timelock's delay has passed."""

from __future__ import annotations

from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from bridge.chain.tx import TxSender

NO_SALT = bytes(32)
NO_PREDECESSOR = bytes(32)


class TimelockAdmin:
    """Proposals through the timelock, sent by one of its proposers (who is also an executor)."""

    def __init__(self, timelock: Contract, sender: TxSender) -> None:
        self.timelock = timelock
        self.sender = sender

    @property
    def address(self) -> str:
        return str(self.timelock.address)

    def min_delay(self) -> int:
        return int(self.timelock.functions.getMinDelay().call())

    @staticmethod
    def _target(call: ContractFunction) -> tuple[str, bytes]:
        return str(call.address), bytes.fromhex(call._encode_transaction_data()[2:])

    def operation_id(self, call: ContractFunction, *, salt: bytes = NO_SALT) -> bytes:
        target, data = self._target(call)
        return bytes(self.timelock.functions.hashOperation(target, 0, data, NO_PREDECESSOR, salt).call())

    def schedule(self, call: ContractFunction, *, salt: bytes = NO_SALT, delay: int | None = None) -> bytes:
        """Proposes ``call``; it may execute ``delay`` seconds later (the minimum by default). Returns its id."""
        target, data = self._target(call)
        wait = self.min_delay() if delay is None else delay
        self.sender.transact(self.timelock.functions.schedule(target, 0, data, NO_PREDECESSOR, salt, wait))
        return self.operation_id(call, salt=salt)

    def ready_at(self, operation_id: bytes) -> int:
        """Unix seconds from which the operation may execute (0: unknown; 1: done)."""
        return int(self.timelock.functions.getTimestamp(operation_id).call())

    def state(self, call: ContractFunction, *, salt: bytes = NO_SALT) -> tuple[str, int]:
        """Where the proposal of ``call`` stands: ``unknown`` (never proposed), ``waiting`` (its delay runs),
        ``ready`` or ``done``; and the unix time it may execute from (0 when unknown or done)."""
        ready_at = self.ready_at(self.operation_id(call, salt=salt))
        if ready_at == 0:
            return "unknown", 0
        if ready_at == 1:  # the timelock's mark of an executed operation
            return "done", 0
        now = int(self.timelock.w3.eth.get_block("latest")["timestamp"])
        return ("ready" if now >= ready_at else "waiting"), ready_at

    def execute(self, call: ContractFunction, *, salt: bytes = NO_SALT) -> TxReceipt:
        """Executes a scheduled ``call`` whose delay has passed (the timelock refuses it earlier)."""
        target, data = self._target(call)
        return self.sender.transact(self.timelock.functions.execute(target, 0, data, NO_PREDECESSOR, salt))
