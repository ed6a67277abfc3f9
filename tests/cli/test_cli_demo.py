"""`carbon-bridge demo`: the whole story against a served bridge, and on a throwaway one."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result

from bridge.cli.demo import _throwaway_bridge
from bridge.local.scenario import DemoActors, run_demo
from bridge.runtime import ServedBridge

TONNE = 10**18


def test_demo_runs_end_to_end_against_a_served_bridge_and_again(
    cli_bridge: ServedBridge, cli: Callable[..., Result]
) -> None:
    for _ in range(2):  # a second run tokenizes afresh: nothing in the first run's way
        result = cli("demo", "--url", cli_bridge.url)
        assert result.exit_code == 0, result.output
        assert "reserve check" in result.output and "OK" in result.output
        assert "swapped 3.00 t of one class" in result.output
        assert result.output.count("tokenized 20 t of") == 3
    report = cli_bridge.service.engine.proof_of_reserve()
    assert report.ok
    assert sum(c.total_supply for c in report.classes) > 0


def test_demo_on_a_throwaway_bridge_uses_the_preset_pools_home() -> None:
    with _throwaway_bridge() as url:
        actors = DemoActors.connect(url)
        steps: list[str] = []
        result = run_demo(actors, step=steps.append)
        pools = actors.bridge.list_pools().items
    assert {"nature", "corsia", "ccp", "removals"} <= {p.preset for p in pools}
    assert result.reserves is not None and result.reserves.ok
    assert len(result.tokenizations) == 3 and len({t.registry for t in result.tokenizations}) == 3
    assert result.settled_tonnes >= 2
    assert len(result.certificates) == 3
    assert float(result.swap["amount_out"]) > 2.9  # 3 t in, fees of at most 1%
    assert any("redeems 3 whole tonnes" in s for s in steps)
