"""Every error code the bridge can return, gathered from each layer's catalogue, as one document.

``docs/errors.md`` is generated from this (``python -m bridge.error_catalog > docs/errors.md``) and a
test keeps it in sync, so the codes are documented once: where they are declared.
"""

from __future__ import annotations

from bridge.errors import ErrorCode


def catalogues() -> list[tuple[str, type[ErrorCode]]]:
    from bridge.api.errors import ApiErrorCode
    from bridge.chain.errors import ChainErrorCode
    from bridge.engine.errors import BridgeErrorCode
    from bridge.http_edge import EdgeErrorCode
    from bridge.pools.errors import PoolErrorCode
    from bridge.registry.errors import RegistryErrorCode
    from bridge.verifier.errors import VerifierErrorCode

    return [
        ("HTTP API", ApiErrorCode),
        ("HTTP edge (both APIs, before any route)", EdgeErrorCode),
        ("Registry", RegistryErrorCode),
        ("Bridge engine", BridgeErrorCode),
        ("Verifiers (carbon-bridge verifier serve, and the engine asking them)", VerifierErrorCode),
        ("Pools", PoolErrorCode),
        ("Chain", ChainErrorCode),
    ]


def cli_example() -> str:
    """A coded error exactly as the CLI prints it (``bridge.cli._app.describe``, markup removed)."""
    from rich.text import Text

    from bridge.cli._app import describe
    from bridge.engine.errors import BridgeError, BridgeErrorCode

    sample = BridgeError("the serial block is already bridged", code=BridgeErrorCode.ALREADY_BRIDGED, field="serial")
    return Text.from_markup(describe(sample)).plain


def render() -> str:
    lines = [
        "# Error codes",
        "",
        "Every error the API, the CLI and the Python library report carries one of these codes.",
        'HTTP responses are `{"code": ..., "message": ..., "field": ...}` with the status shown;',
        f"the CLI prints `error <code> <field>: <message>` on stderr and exits 2, e.g. `{cli_example()}`",
        "(input it refuses before asking anyone: `error <option>: <message>`).",
        "Generated from the code by `python -m bridge.error_catalog`.",
        "`invalid_request` is 422 when the request's shape is wrong (schema validation, before anything runs)",
        "and 400 when a value is refused by the registry or the engine.",
        "",
    ]
    for title, catalogue in catalogues():
        lines += [f"## {title}", "", "| code | HTTP | meaning |", "|---|---|---|"]
        lines += [f"| `{code.value}` | {code.http_status} | {code.meaning} |" for code in catalogue]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
