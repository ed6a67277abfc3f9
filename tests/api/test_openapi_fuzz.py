"""Schemathesis over the app's own OpenAPI document: no operation answers with a 5xx.

Every operation the app serves (the bridge API under /v1 and /health, pools when mounted, the registry
API under /registry) is called with schemathesis's cases: its coverage cases (boundary values, missing
and wrong-typed parameters), the document's examples, and generated valid and invalid inputs. Callers
vary: no key, an unknown key, and the keys of each role (bridge keys for the bridge API, registry keys
for /registry). No response may be a 5xx, and every error must carry a ``code`` from the error
catalogue (docs/errors.md).

The bridge is a fresh local one for this module, with a tokenization, a redemption and a retirement
behind it so reads find rows. POSTs change its state, which is the point (later requests meet what
earlier ones made): the operations run in the document's order, each in its own subtest. Generation is
derandomized, so a run is reproducible.

The schema is loaded from the in-process app in a fixture and each operation is driven here rather than
through ``schemathesis.pytest.from_fixture``, whose lazy parametrization does not run on pytest 9.2 (it
sets ``Node._nodeid``, which pytest no longer has).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import APIOperation, BaseSchema

from bridge.api import create_app
from bridge.error_catalog import catalogues
from bridge.local import LocalTemplate, local_service
from bridge.service import BridgeService
from bridge.testing import LocalBridgeHelper

TONNE: Final = 10**18
UNKNOWN_KEY: Final = "bak_fuzz_not_a_key_of_this_bridge"
CALLERS: Final = ("operator", "custodian", "anonymous", "unknown", "verifier", "trader")
# the caller's registry key: the registry knows no verifier, so the verifier calls it as the bridge account
REGISTRY_NAMES: Final = {"verifier": "bridge"}
IDEMPOTENCY_HEADER: Final = "Idempotency-Key"
IDEMPOTENCY_PATTERN: Final = re.compile(r"[A-Za-z0-9._:@+=-]{8,128}")
KNOWN_CODES: Final = frozenset(code.value for _, catalogue in catalogues() for code in catalogue)
FUZZ_SETTINGS: Final = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
EXAMPLE_SETTINGS: Final = settings(FUZZ_SETTINGS, max_examples=6)  # a few per example: they deploy, issue...


@dataclass
class Fuzzer:
    service: BridgeService
    schema: BaseSchema
    idempotency_keys: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def key(self, path: str, caller: str) -> str | None:
        if caller == "anonymous":
            return None
        if caller == "unknown":
            return UNKNOWN_KEY
        if path.startswith("/registry"):
            return str(self.service.demo.keys[REGISTRY_NAMES.get(caller, caller)])
        return self.service.api_key(caller)

    def call(self, case: Case, caller: str, *, valid_idempotency_key: bool = False) -> None:
        """Send ``case`` as ``caller``; fail on a 5xx or an error without a catalogued code."""
        headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "x-api-key"}
        key = self.key(case.operation.path, caller)
        if key is not None:
            headers["X-API-Key"] = key
        sent_key = headers.get(IDEMPOTENCY_HEADER)
        if valid_idempotency_key and sent_key is not None and not IDEMPOTENCY_PATTERN.fullmatch(str(sent_key)):
            headers[IDEMPOTENCY_HEADER] = f"openapi-fuzz-{next(self.idempotency_keys):06d}"
        case.headers = headers
        response = case.call()
        case.validate_response(response, checks=[not_a_server_error])
        if response.status_code >= 400:
            body = response.json()
            assert isinstance(body, dict), f"{case.operation.label} {response.status_code}: {response.text}"
            assert body.get("code") in KNOWN_CODES, f"{case.operation.label} {response.status_code}: {response.text}"

    def exercise(self, operation: APIOperation) -> None:
        # coverage cases: each once, alternately as the operator and the custodian (past authentication)
        modes = list(GenerationMode)
        cases = self.schema.iter_coverage_cases(
            operation, generation_modes=modes, generation_config=self.schema.config.generation
        )
        for index, case in enumerate(cases):
            self.call(case, CALLERS[index % 2])
        # the document's examples: realistic requests, as the keys allowed to make them
        for strategy in operation.get_strategies_from_examples():
            self._run(strategy, st.sampled_from(CALLERS[:2]), EXAMPLE_SETTINGS, valid_idempotency_key=True)
        # generated valid and invalid inputs, as any caller
        generated = st.one_of(operation.as_strategy(mode) for mode in modes)
        self._run(generated, st.sampled_from(CALLERS), FUZZ_SETTINGS)

    def _run(
        self, cases: st.SearchStrategy[Case], callers: st.SearchStrategy[str], limits: settings, **options: Any
    ) -> None:
        @limits
        @given(case=cases, caller=callers)
        def run(case: Case, caller: str) -> None:
            self.call(case, caller, **options)

        run()


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory, bridge_template: LocalTemplate) -> Iterator[Fuzzer]:
    tmp: Path = tmp_path_factory.mktemp("fuzz-bridge")
    service = local_service(tmp, template=bridge_template)
    helper = LocalBridgeHelper(service)
    minted = helper.tokenize()
    helper.request_redemption(class_id=minted.class_id, tonnes=2, account="trader")
    helper.retire(class_id=minted.class_id, amount=3 * TONNE // 2)
    helper.drive()
    yield Fuzzer(service, schemathesis.openapi.from_asgi("/openapi.json", create_app(service)))
    service.close()


def test_no_operation_answers_with_a_server_error(fuzzer: Fuzzer, subtests: pytest.Subtests) -> None:
    operations = [result.ok() for result in fuzzer.schema.get_all_operations()]
    paths = {operation.path for operation in operations}
    assert "/v1/tokenizations" in paths and "/registry/transfers" in paths, paths
    for operation in operations:
        with subtests.test(msg=operation.label):
            fuzzer.exercise(operation)
