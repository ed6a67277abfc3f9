"""Pool errors render like every coded error (the catalogue itself is checked in tests/test_error_catalog.py)."""

from __future__ import annotations

from bridge.pools import PoolError, PoolErrorCode


def test_pool_errors_render_like_every_coded_error() -> None:
    error = PoolError("0 is not a positive whole number of wei", code=PoolErrorCode.INVALID_POOL_AMOUNT, field="amount")
    assert error.to_dict() == {
        "code": "invalid_pool_amount",
        "message": "0 is not a positive whole number of wei",
        "field": "amount",
    }
    assert error.http_status == 400
    assert str(error) == "[invalid_pool_amount] amount: 0 is not a positive whole number of wei"
