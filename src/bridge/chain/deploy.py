"""Deploy the bridge contracts and hand back typed handles to them."""

from __future__ import annotations

from dataclasses import dataclass, field

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from bridge.chain.attestation import Attestation, CreditClass, order_signatures, sign_attestation
from bridge.chain.compiler import Artifacts, load_artifacts
from bridge.chain.errors import ChainError, ChainErrorCode
from bridge.chain.reverts import ErrorDecoder
from bridge.chain.tx import TxSender

BRIDGE_CONTRACT = "CarbonBridge"
TOKEN_CONTRACT = "CarbonCreditToken"


@dataclass
class BridgeDeployment:
    """A deployed bridge: its contract, the artifacts it was built from, and an error decoder."""

    w3: Web3
    artifacts: Artifacts
    bridge: Contract
    decoder: ErrorDecoder
    _tokens: dict[bytes, Contract] = field(default_factory=dict)
    _chain_id: int | None = None

    @property
    def address(self) -> str:
        return str(self.bridge.address)

    @property
    def chain_id(self) -> int:
        """The chain's id (asked once: a node does not change chains)."""
        if self._chain_id is None:
            self._chain_id = int(self.w3.eth.chain_id)
        return self._chain_id

    def token_at(self, address: str) -> Contract:
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=self.artifacts[TOKEN_CONTRACT].abi)

    def class_token(self, credit_class: CreditClass | bytes) -> Contract | None:
        """The class's token contract, or None while no batch of the class has been bridged."""
        class_id = credit_class.class_id if isinstance(credit_class, CreditClass) else credit_class
        if class_id not in self._tokens:
            address = self.bridge.functions.classToken(class_id).call()
            if int(address, 16) == 0:
                return None
            self._tokens[class_id] = self.token_at(address)
        return self._tokens[class_id]

    def forget_tokens(self) -> None:
        """Drop cached token handles (after the chain was rolled back)."""
        self._tokens.clear()

    def sign(self, attestation: Attestation, verifier_keys: list[LocalAccount]) -> list[bytes]:
        """Signatures of the given verifiers, in the order the bridge checks them."""
        signed = [
            (key.address, sign_attestation(attestation, key.key, chain_id=self.chain_id, bridge=self.address))
            for key in verifier_keys
        ]
        return order_signatures(signed)


def make_decoder(artifacts: Artifacts) -> ErrorDecoder:
    return ErrorDecoder(artifacts.all_abis())


def deploy_bridge(
    sender: TxSender,
    *,
    admin: str,
    verifiers: list[str],
    threshold: int,
    artifacts: Artifacts | None = None,
) -> BridgeDeployment:
    artifacts = artifacts or load_artifacts()
    bridge = sender.deploy(artifacts[BRIDGE_CONTRACT], admin, verifiers, threshold)
    return BridgeDeployment(w3=sender.w3, artifacts=artifacts, bridge=bridge, decoder=sender.decoder)


def attach_bridge(w3: Web3, address: str, artifacts: Artifacts | None = None) -> BridgeDeployment:
    artifacts = artifacts or load_artifacts()
    bridge = w3.eth.contract(address=Web3.to_checksum_address(address), abi=artifacts[BRIDGE_CONTRACT].abi)
    return BridgeDeployment(w3=w3, artifacts=artifacts, bridge=bridge, decoder=make_decoder(artifacts))


def checked_bridge(w3: Web3, address: str) -> str:
    """``address`` checksummed, once the chain shows a contract there (attaching to nothing fails here, named)."""
    try:
        checksummed = Web3.to_checksum_address(address)
    except ValueError:
        raise ChainError(
            f"{address!r} is not an address", code=ChainErrorCode.INVALID_CHAIN_CONFIG, field="bridge_address"
        ) from None
    if not w3.eth.get_code(checksummed):
        raise ChainError(
            f"no contract at {checksummed} on chain {int(w3.eth.chain_id)}: not this chain's bridge",
            code=ChainErrorCode.INVALID_CHAIN_CONFIG,
            field="bridge_address",
        )
    return checksummed
