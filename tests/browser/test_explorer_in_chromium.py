"""The explorer, the certificate and the API docs as a person sees them: a real headless Chromium against
a served bridge after the demo. Every test also asserts that no request left the machine."""

from __future__ import annotations

import httpx
from browsing import Demoed, Watched
from playwright.sync_api import expect


def test_the_overview_shows_each_class_by_name_with_its_reserve_chart(demoed: Demoed, watched: Watched) -> None:
    classes = httpx.get(f"{demoed.url}/v1/classes").json()["items"]
    assert len(classes) >= 2
    page = watched.page
    page.goto(demoed.url + "/")
    for credit_class in classes:
        assert credit_class["project_name"], credit_class
        expect(page.locator("tr.class-row", has_text=credit_class["name"])).to_have_count(1)
    chart = page.locator("svg.chart").first
    expect(chart).to_be_visible()
    expect(chart.locator("g.reserve-row")).to_have_count(len(classes))
    for credit_class in classes:  # each row of bars is labelled by the class's name, not its hex id
        row = chart.locator("g.reserve-row", has_text=credit_class["name"][:30])
        expect(row).to_have_count(1)
        expect(row.locator("rect.bar-trust")).to_have_count(1)
    block = int(page.locator("#reserve-block").inner_text())
    assert block > 0
    watched.shot("overview")
    assert watched.foreign() == []


def test_a_certificate_shows_its_beneficiary_and_the_registry_serial_that_settled_it(
    demoed: Demoed, watched: Watched
) -> None:
    first = demoed.result.certificates[0]
    certificate = httpx.get(f"{demoed.url}/v1/retirements/{first}").json()
    assert certificate["status"] == "settled", certificate
    serial = certificate["settlements"][0]["registry_serials"][0]
    page = watched.page
    page.goto(f"{demoed.url}/retirements/{first}")
    expect(page.locator("#beneficiary")).to_have_text("Demo Airways")
    expect(page.locator("code.serial", has_text=serial)).to_be_visible()
    expect(page.get_by_text("voluntary offsetting", exact=False).first).to_be_visible()
    expect(page.get_by_text("DE-BE")).to_be_visible()
    watched.shot("certificate")
    page.emulate_media(media="print")  # what paper shows: the certificate alone, no navigation
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator("article.certificate")).to_be_visible()
    watched.shot("certificate-print")
    pdf = httpx.get(f"{demoed.url}/retirements/{first}/certificate.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert watched.foreign() == []


def test_a_disclosed_beneficiary_replaces_the_hash_on_its_certificate(demoed: Demoed, watched: Watched) -> None:
    hashed = demoed.result.certificates[2]
    page = watched.page
    page.goto(f"{demoed.url}/retirements/{hashed}")
    expect(page.locator("#beneficiary")).to_have_text("Jane Doe")
    expect(page.get_by_text("personal data hash")).to_be_visible()
    assert watched.foreign() == []


def test_the_api_docs_render_their_operations_from_local_files(demoed: Demoed, watched: Watched) -> None:
    spec = httpx.get(f"{demoed.url}/openapi.json").json()
    operations = sum(len(methods) for methods in spec["paths"].values())
    page = watched.page
    page.goto(demoed.url + "/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
    expect(page.locator(".opblock")).to_have_count(operations)
    expect(page.locator(".opblock-summary-path", has_text="/v1/redemptions").first).to_be_visible()
    watched.shot("docs", full_page=False)
    page.goto(demoed.url + "/redoc")
    expect(page.get_by_text("/v1/holders/{address}/balances").first).to_be_attached(timeout=20_000)
    watched.shot("redoc", full_page=False)
    assert any(url.endswith("swagger-ui-bundle.js") for url in watched.requests)
    assert watched.foreign() == []


def test_every_page_of_the_explorer_renders_without_leaving_the_machine(demoed: Demoed, watched: Watched) -> None:
    classes = httpx.get(f"{demoed.url}/v1/classes").json()["items"]
    pools = httpx.get(f"{demoed.url}/v1/pools").json()["items"]
    redemption = demoed.result.redemption_id
    holder = httpx.get(f"{demoed.url}/v1/redemptions/{redemption}").json()["holder"]
    page = watched.page
    for path, text in (
        ("/classes", classes[0]["name"]),
        (f"/classes/{classes[0]['token_address']}", "Batches and serials"),
        ("/retirements", "Demo Airways"),
        ("/redemptions", "completed"),
        (f"/redemptions/{redemption}", "Timeline"),
        ("/pools", pools[0]["name"]),
        (f"/pools/{pools[0]['address']}", "Composition"),
        ("/reserves", "Independent recomputation"),
        ("/events", "Retired"),
        (f"/holders/{holder}", "Balances at block"),
        ("/registry", "simulated registry"),
    ):
        response = page.goto(demoed.url + path)
        assert response is not None and response.status == 200, path
        expect(page.locator("main")).to_contain_text(text)
        watched.shot("page" + path.replace("/", "-").replace("{", "").replace("}", "")[:60])
    assert watched.foreign() == []
