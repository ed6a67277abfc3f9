"""A prepared trade names exactly the fields its action takes: a missing or a foreign one is refused by the
request model itself, located at the field (so the API's 422 names it), before any pool is read."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bridge.pools.schemas import PoolTransactionRequest

TRADER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
CLASS_A = "0x9684B86e42F97d5126b52c0ae2aec57E56d0B448"
CLASS_B = "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"action": "deposit"}, "token", "a deposit needs it"),
        ({"action": "redeem", "token_in": CLASS_A, "token": CLASS_B}, "token_in", "not a field of a redeem"),
        ({"action": "swap", "token_in": CLASS_A}, "token_out", "a swap needs it"),
        (
            {"action": "swap", "token_in": CLASS_A, "token_out": CLASS_B, "token": CLASS_A},
            "token",
            "not a field of a swap",
        ),
        ({"action": "redeem_and_retire", "token": CLASS_A}, "beneficiary", "a redeem_and_retire needs it"),
        ({"action": "deposit", "token": CLASS_A, "reason": "why not"}, "reason", "not a field of a deposit"),
    ],
)
def test_a_trade_with_a_field_its_action_does_not_take_is_refused_at_that_field(
    body: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        PoolTransactionRequest.model_validate({"trader": TRADER, "amount": "1"} | body)
    (error,) = refused.value.errors()
    assert (error["loc"], error["msg"]) == ((field,), message)


def test_each_action_with_its_own_fields_is_accepted() -> None:
    for body in (
        {"action": "deposit", "token": CLASS_A},
        {"action": "redeem", "token": CLASS_A},
        {"action": "swap", "token_in": CLASS_A, "token_out": CLASS_B},
        {"action": "redeem_and_retire", "token": CLASS_A, "beneficiary": "Acme", "reason": "2025"},
        {"action": "redeem_and_retire", "token": CLASS_A, "beneficiary": "Acme"},
    ):
        assert PoolTransactionRequest.model_validate({"trader": TRADER, "amount": 1} | body).action == body["action"]
