"""The explorer's pages: server-rendered HTML over the same service methods the API calls (no SQL, no
contract calls, no locks here), each page a function of its path and query parameters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.filters import (
    ClassFilter,
    ClassOnlyFilter,
    EventFilter,
    FeedQuery,
    PageQuery,
    RedemptionFilter,
    RetirementFilter,
)
from bridge.engine.schemas import ReserveReport
from bridge.engine.store import RedeemStep
from bridge.explorer.certificate_pdf import certificate_pdf
from bridge.explorer.charts import ReserveRow, reserve_chart, share_chart
from bridge.explorer.views import render
from bridge.http_errors import HttpErrorCatalogue
from bridge.primitives import checked_address
from bridge.service import BridgeService

PAGE = 25
Cursor = Annotated[str | None, Query(max_length=512, pattern=r"^[A-Za-z0-9_-]*$")]
Text = Annotated[str | None, Query(max_length=200)]

# the steps a redemption may take, in order, as its timeline shows them (cancelling/cancelled, dropped: off it)
REDEEM_PATH = (RedeemStep.SEEN, RedeemStep.RELEASING, RedeemStep.RELEASED, RedeemStep.COMPLETED)


def _reserve_rows(report: ReserveReport) -> list[ReserveRow]:
    return [
        ReserveRow(
            name=c.name or c.class_id,
            units_in_trust=c.units_in_trust,
            total_supply=c.total_supply,
            escrowed=c.escrowed,
            retired_unsettled=c.retired_unsettled,
            ok=c.ok,
        )
        for c in report.classes
    ]


def _address(value: str, field: str) -> str:
    try:
        return checked_address(value)
    except ValueError as exc:
        raise BridgeError(f"{value!r}: {exc}", code=BridgeErrorCode.INVALID_REQUEST, field=field) from None


def _blank(value: str | None) -> str | None:
    """A form's empty field means no filter."""
    return value.strip() or None if value is not None else None


def explorer_router(service: BridgeService, errors: HttpErrorCatalogue) -> APIRouter:
    """The explorer's pages for ``service`` (kept out of the OpenAPI document: it documents the JSON API); a
    filter the API would refuse is refused with the API's own error (``errors``: the API's catalogue)."""
    _filter = errors.validated
    router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

    def ready() -> None:
        if not service.ready:
            raise BridgeError("the bridge service is not ready", code=BridgeErrorCode.CHAIN_FAILURE)

    @router.get("/")
    def overview(request: Request) -> HTMLResponse:
        def build() -> dict[str, Any]:
            ready()
            report = service.reserves()
            classes = service.classes(ClassFilter(), PageQuery(limit=100)).items
            retirements = service.retirements(RetirementFilter(), PageQuery(limit=1))
            latest = PageQuery(limit=5, offset=max(retirements.total - 5, 0))
            recent = service.retirements(RetirementFilter(), latest).items[::-1]
            return {
                "report": report,
                "chart": reserve_chart(_reserve_rows(report), report.block_number),
                "classes": classes,
                "recent": recent,
                "retirement_count": retirements.total,
                "redemption_count": service.redemptions(RedemptionFilter(), PageQuery(limit=1)).total,
                "pool_count": service.pools_page(limit=1).total,
                "chain_id": service.chain_id,
                "bridge": service.bridge_address,
            }

        return render(request, "overview.html", build)

    @router.get("/classes")
    def classes(
        request: Request,
        program: Text = None,
        vintage: Annotated[str | None, Query(max_length=4)] = None,
        label: Text = None,
        name: Text = None,
        cursor: Cursor = None,
    ) -> HTMLResponse:
        def build() -> dict[str, Any]:
            filters = _filter(
                ClassFilter, program=_blank(program), vintage=_blank(vintage), label=_blank(label), name=_blank(name)
            )
            found = service.classes(filters, PageQuery(limit=PAGE, cursor=_blank(cursor)))
            filters = {"program": program or "", "vintage": vintage or "", "label": label or "", "name": name or ""}
            return {"page": found, "filters": filters}

        return render(request, "classes.html", build)

    @router.get("/classes/{class_ref}")
    def credit_class(request: Request, class_ref: Annotated[str, Path(max_length=200)]) -> HTMLResponse:
        def build() -> dict[str, Any]:
            found = service.credit_class(class_ref)
            return {
                "cls": found,
                "batches": service.batches(ClassOnlyFilter(class_id=found.class_id), PageQuery(limit=100)),
                "retirements": service.retirements(RetirementFilter(class_id=found.class_id), PageQuery(limit=100)),
                "redemptions": service.redemptions(RedemptionFilter(class_id=found.class_id), PageQuery(limit=100)),
            }

        return render(request, "class.html", build)

    @router.get("/retirements")
    def retirements(request: Request, cursor: Cursor = None, beneficiary: Text = None) -> HTMLResponse:
        def build() -> dict[str, Any]:
            filters = _filter(RetirementFilter, beneficiary=_blank(beneficiary))
            found = service.retirements(filters, PageQuery(limit=PAGE, cursor=_blank(cursor)))
            return {"page": found, "beneficiary": beneficiary or ""}

        return render(request, "retirements.html", build)

    @router.get("/retirements/{certificate_id}")
    def certificate(request: Request, certificate_id: Annotated[int, Path(ge=1, lt=2**256)]) -> HTMLResponse:
        def build() -> dict[str, Any]:
            return {
                "cert": service.retirement(certificate_id),
                "chain_id": service.chain_id,
                "bridge": service.bridge_address,
            }

        return render(request, "certificate.html", build)

    @router.get("/retirements/{certificate_id}/certificate.pdf", response_model=None)
    def certificate_download(request: Request, certificate_id: Annotated[int, Path(ge=1, lt=2**256)]) -> Response:
        def build() -> dict[str, Any]:
            return {"cert": service.retirement(certificate_id)}

        try:
            cert = build()["cert"]
        except BridgeError:
            return render(request, "certificate.html", build)
        body = certificate_pdf(
            cert,
            chain_id=service.chain_id,
            bridge=service.bridge_address,
            url=str(request.url_for("certificate", certificate_id=certificate_id)),
        )
        filename = f"retirement-certificate-{certificate_id}.pdf"
        return Response(
            body, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )

    @router.get("/redemptions")
    def redemptions(
        request: Request,
        cursor: Cursor = None,
        holder: Text = None,
        status: Annotated[str | None, Query(max_length=16)] = None,
    ) -> HTMLResponse:
        def build() -> dict[str, Any]:
            who = _blank(holder)
            filters = _filter(RedemptionFilter, holder=_address(who, "holder") if who else None, status=_blank(status))
            found = service.redemptions(filters, PageQuery(limit=PAGE, cursor=_blank(cursor)))
            return {
                "page": found,
                "names": service.class_names(),
                "holder": holder or "",
                "status": status or "",
                "steps": [s.value for s in RedeemStep],
            }

        return render(request, "redemptions.html", build)

    @router.get("/redemptions/{redemption_id}")
    def redemption(request: Request, redemption_id: Annotated[int, Path(ge=0, lt=2**256)]) -> HTMLResponse:
        def build() -> dict[str, Any]:
            found = service.redemption(redemption_id)
            reached = {entry.step: entry.at for entry in found.history}
            path = [(step.value, reached.get(step.value)) for step in REDEEM_PATH]
            if found.step in (RedeemStep.CANCELLING, RedeemStep.CANCELLED, RedeemStep.DROPPED):
                path = [(e.step, e.at) for e in found.history]
            return {"r": found, "path": path, "name": service.class_names().get(found.class_id)}

        return render(request, "redemption.html", build)

    @router.get("/pools")
    def pools(request: Request, cursor: Cursor = None) -> HTMLResponse:
        return render(request, "pools.html", lambda: {"page": service.pools_page(limit=PAGE, cursor=_blank(cursor))})

    @router.get("/pools/{address}")
    def pool(request: Request, address: Annotated[str, Path(max_length=64)]) -> HTMLResponse:
        def build() -> dict[str, Any]:
            found = service.pool(_address(address, "address"))
            names = service.class_names()
            shares = [(names.get(c.class_id, c.token), int(c.amount)) for c in found.composition if int(c.amount)]
            return {"pool": found, "names": names, "chart": share_chart(shares) if shares else ""}

        return render(request, "pool.html", build)

    @router.get("/reserves")
    def reserves(request: Request) -> HTMLResponse:
        def build() -> dict[str, Any]:
            report = service.reserves()
            independent = service.independent_reserves()
            return {
                "report": report,
                "independent": independent,
                "names": service.class_names(),
                "chart": reserve_chart(_reserve_rows(report), report.block_number),
                "rpc_url": service.rpc_url,
                "bridge": service.bridge_address,
                "trust_account": service.trust_account,
            }

        return render(request, "reserves.html", build)

    @router.get("/events")
    def events(
        request: Request, cursor: Cursor = None, name: Annotated[str | None, Query(max_length=64)] = None
    ) -> HTMLResponse:
        def build() -> dict[str, Any]:
            found = service.events(_filter(EventFilter, name=_blank(name)), FeedQuery(limit=50, cursor=_blank(cursor)))
            return {"page": found, "names": service.class_names(), "name": name or ""}

        return render(request, "events.html", build)

    @router.get("/holders/{address}")
    def holder(request: Request, address: Annotated[str, Path(max_length=64)]) -> HTMLResponse:
        def build() -> dict[str, Any]:
            who = _address(address, "address")
            return {
                "holdings": service.balances(who),
                "retirements": service.retirements(RetirementFilter(retiree=who), PageQuery(limit=100)),
                "redemptions": service.redemptions(RedemptionFilter(holder=who), PageQuery(limit=100)),
                "names": service.class_names(),
            }

        return render(request, "holder.html", build)

    return router
