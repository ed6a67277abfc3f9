"""`carbon-bridge`: the one command-line entry point.

Each module registers its commands on the root app: ``serve`` (the service), ``demo`` (a scripted
end-to-end run), ``registry`` (the simulated registry; ``registry_import``: loading registries' exports),
``flows`` (tokenize, redeem), ``classes``, ``retirements`` (retire, and the certificates), ``redemptions``,
``reserves`` (the bridge's report and the independent check), ``pools``, ``verifier`` (a verifier service),
``worker`` (the engine alone, one of several), ``admin`` (timelocked changes) and ``dev`` (compile, the demo keys).
"""

from __future__ import annotations

import sys

from bridge.cli import admin as admin  # registers the admin group
from bridge.cli import classes as classes  # registers the classes group
from bridge.cli import demo, dev, serve  # noqa: F401  (registers commands)
from bridge.cli import flows as flows  # registers tokenize, redeem
from bridge.cli import pools as pools  # registers the pools group
from bridge.cli import redemptions as redemptions  # registers the redemptions group
from bridge.cli import registry as registry  # registers the registry group
from bridge.cli import registry_import as registry_import  # registers registry import
from bridge.cli import reserves as reserves  # registers reserves, verify-reserves
from bridge.cli import retirements as retirements  # registers retire and the retirements group
from bridge.cli import verifier as verifier  # registers the verifier group
from bridge.cli import worker as worker  # registers worker
from bridge.cli._app import app, describe, err_console
from bridge.errors import CodedError

__all__ = ["app", "main"]


def main() -> None:
    try:
        app()
    except CodedError as exc:  # raised outside a command's own handling: still a coded message, exit 2
        err_console.print(describe(exc), highlight=False)
        sys.exit(2)
