"""``/v1/events``: the feed of confirmed chain events (the bridge's and its class tokens'), and
``/v1/holders/{address}/balances``: what an address holds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bridge.api import examples
from bridge.api.deps import FeedParams, HolderAddress, ServiceDep
from bridge.engine.filters import EventFilter
from bridge.engine.schemas import EventPublic, HolderBalances
from bridge.primitives import Page

router = APIRouter(prefix="/v1")


@router.get(
    "/events",
    tags=["events"],
    summary="Chain events in order: transfers, retirements, redemptions, mints (made anywhere)",
    description=(
        "Every event of the bridge contract and every `Transfer` of its class tokens, once it is `confirmations` "
        "deep, oldest first. Follow the feed with `next_cursor`: it is always given once the feed has an event, "
        "so asking again with it returns only what came after (an empty page until something does)."
    ),
    **examples.docs(examples.page(examples.EVENT)),
)
def list_events(service: ServiceDep, feed: FeedParams, filters: Annotated[EventFilter, Query()]) -> Page[EventPublic]:
    return service.events(filters, feed)


@router.get(
    "/holders/{address}/balances",
    tags=["holders"],
    summary="What an address holds of each class token and pool token, at one block",
    **examples.docs(examples.BALANCES),
)
def holder_balances(service: ServiceDep, address: HolderAddress) -> HolderBalances:
    return service.balances(address)
