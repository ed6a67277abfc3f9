"""The bridge's web explorer: server-rendered pages (Jinja2) over the bridge service, for people.

``install_explorer(app, service, errors)`` adds them to the API's app: the overview (the reserve per class as an
SVG chart drawn on the server), classes by name with their batches and retirements, retirement
certificates (printable, and as PDF), redemptions with their timeline, pools with their composition, the
proof of reserve beside its independent recomputation, the event feed, a holder's balances, the registry's
landing page, and the API docs from vendored files: nothing loads from another host, and no page needs
a script.
"""

from bridge.explorer.site import install_explorer

__all__ = ["install_explorer"]
