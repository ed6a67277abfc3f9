"""Every read of the registry, in one place, shaped like a real registry's (Verra / CAD Trust style).

* ``queries``: the public searches' filters (query models, also the API's query parameters), ``Page``
  and the published ``RetirementRecord``;
* ``search``: each search declared once (``Search``: filters, item, API path) and run over a read
  session; ``Listing`` lists every match of one, a page at a time (``SearchLists``: the ``list_*``
  methods of the ledger and the clients);
* ``lookup``: point reads (a program, project, account, issuance, block, credit, totals); the reads of one row
  by its id each declared once more as a ``RowRead`` (the read and its API path: ``Registry.read_row``).

Functions here take a read session and never write. ``Registry`` opens the session (its ``get_*``,
``search`` and ``list_*`` methods read through here), and so does everything above it: the access rules,
the API and both clients read only through the ledger's methods, so there is one read path.
"""

from bridge.registry.views.queries import (
    DEFAULT_PAGE,
    MAX_ID,
    MAX_PAGE,
    AccountQuery,
    BlockQuery,
    IssuanceQuery,
    JournalQuery,
    Page,
    PageQuery,
    ProgramQuery,
    ProjectQuery,
    RetirementQuery,
    RetirementRecord,
)
from bridge.registry.views.search import (
    ACCOUNTS,
    BLOCKS,
    ISSUANCES,
    JOURNAL,
    PROGRAMS,
    PROJECTS,
    RETIREMENTS,
    SEARCHES,
    Listing,
    Search,
    SearchLists,
    search_for,
)

__all__ = [
    "ACCOUNTS",
    "BLOCKS",
    "DEFAULT_PAGE",
    "ISSUANCES",
    "JOURNAL",
    "MAX_ID",
    "MAX_PAGE",
    "PROGRAMS",
    "PROJECTS",
    "RETIREMENTS",
    "SEARCHES",
    "AccountQuery",
    "BlockQuery",
    "IssuanceQuery",
    "JournalQuery",
    "Listing",
    "Page",
    "PageQuery",
    "ProgramQuery",
    "ProjectQuery",
    "RetirementQuery",
    "RetirementRecord",
    "Search",
    "SearchLists",
    "search_for",
]
