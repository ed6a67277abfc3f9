"""The pool service on a deployed pool: a trader's round trip, retirement, rules changes, fees, errors."""

from __future__ import annotations

import pytest
from pool_helpers import POOL_GAS, TX_GAS, mint_classes, pool_for

from bridge.chain.attestation import Adjustment, Label
from bridge.chain.errors import ContractRevert
from bridge.chain.local import LocalBridge
from bridge.pools import (
    PRESETS,
    ClassHolding,
    EligibilityReason,
    PoolError,
    PoolErrorCode,
    PoolHandle,
    PoolRules,
    deploy_presets,
)
from bridge.primitives import TONNE
from chain_factories import verra_class

NATURE_A = verra_class(project_id="1477", year=2019, methodology="VM0007")
NATURE_B = verra_class(project_id="981", year=2021, methodology="VM0015", host_country="BR")
NATURE_C = verra_class(project_id="1650", year=2022, methodology="VM0047", host_country="KE")


def setup_pool(local: LocalBridge, fee_bps: int = 100) -> tuple[PoolHandle, list[str]]:
    trader = local.users[0].address
    tokens = mint_classes(local, [NATURE_A, NATURE_B, NATURE_C], trader, tonnes=100)
    pool = pool_for(local, PoolRules(methodologies=["VM0007", "VM0015", "VM0047"]), fee_bps=fee_bps)
    return pool, tokens


def assert_backed(pool: PoolHandle) -> None:
    """Pool supply == the class tokens it accounts for == (at most) what it actually holds."""
    holdings = pool.composition()
    assert pool.total_supply() == sum(h.amount for h in holdings.values())
    for token, holding in holdings.items():
        assert pool.token(token).functions.balanceOf(pool.address).call() >= holding.amount


def test_a_trader_goes_class_to_pool_token_to_another_class_and_retires(local: LocalBridge) -> None:
    pool, (token_a, token_b, token_c) = setup_pool(local, fee_bps=100)
    trader = local.sender(local.users[0])
    fee_recipient = local.users[-1].address

    pool.deposit(trader, token_a, 40 * TONNE)  # approves first
    assert pool.token(token_a).functions.allowance(trader.address, pool.address).call() == 0  # exact approval
    pool.approve_if_needed(trader, token_b, 50 * TONNE)
    assert pool.approve_if_needed(trader, token_b, 10 * TONNE) is None  # allowance covers it: no transaction
    pool.deposit(trader, token_b, 10 * TONNE)
    assert pool.balance_of(trader.address) == 50 * TONNE
    holdings = pool.composition()
    assert holdings[token_a] == ClassHolding(40 * TONNE, NATURE_A)
    assert holdings[token_b].credit_class == NATURE_B
    assert pool.is_eligible(token_c) == (True, EligibilityReason.ELIGIBLE)

    # pool token -> another class: 1% fee in pool tokens to the fee recipient
    assert pool.preview_redeem(10 * TONNE) == (9.9 * TONNE, 0.1 * TONNE)
    received = pool.redeem(trader, token_b, 10 * TONNE)
    assert received == 9.9 * TONNE
    assert pool.token(token_b).functions.balanceOf(trader.address).call() == (90 + 9.9) * TONNE
    assert pool.balance_of(fee_recipient) == 0.1 * TONNE
    assert_backed(pool)

    # class -> class in one call
    got = pool.swap(trader, token_c, token_a, 20 * TONNE)
    assert got == 19.8 * TONNE
    assert pool.class_balance(token_c) == 20 * TONNE
    assert pool.class_balance(token_a) == 40 * TONNE - got
    assert pool.balance_of(fee_recipient) == 0.3 * TONNE
    assert_backed(pool)

    # redeem and retire: a certificate from the bridge, the retiree is the pool
    certificate = pool.redeem_and_retire(
        trader, token_c, 5 * TONNE, beneficiary="Acme Airlines Ltd", reason="2025 scope 1 emissions"
    )
    assert certificate >= 1
    stored = local.bridge.functions.certificate(certificate).call()
    assert stored[0] == pool.address
    assert 4.95 * TONNE in stored
    assert pool.class_balance(token_c) == 20 * TONNE - 4.95 * TONNE
    assert_backed(pool)


def test_tightening_rules_never_traps_deposits(local: LocalBridge) -> None:
    pool, (token_a, token_b, _) = setup_pool(local, fee_bps=0)
    trader = local.sender(local.users[0])
    pool.deposit(trader, token_a, 10 * TONNE)
    pool.deposit(trader, token_b, 10 * TONNE)

    version = pool.set_rules({"methodologies": ["VM0047"], "min_vintage_start": 20220101})
    assert version == 2 == pool.rules_version()
    assert pool.rules() == PoolRules(methodologies=["VM0047"], min_vintage_start=20220101)
    assert pool.is_eligible(token_a) == (False, EligibilityReason.METHODOLOGY_NOT_ALLOWED)
    with pytest.raises(ContractRevert) as info:
        pool.deposit(trader, token_a, TONNE)
    assert info.value.error_name == "PoolClassNotEligible"
    assert info.value.error_args[1] == EligibilityReason.METHODOLOGY_NOT_ALLOWED

    # everything already held still comes out, by redemption and by retirement
    assert pool.redeem(trader, token_a, 10 * TONNE) == 10 * TONNE
    assert pool.redeem_and_retire(trader, token_b, 10 * TONNE, beneficiary="Acme") >= 1
    assert pool.composition() == {}
    assert pool.total_supply() == 0


def test_fees_keep_the_supply_equal_to_the_class_tokens_held(local: LocalBridge) -> None:
    pool, (token_a, token_b, token_c) = setup_pool(local, fee_bps=333)
    trader = local.sender(local.users[0])
    for token in (token_a, token_b):
        pool.deposit(trader, token, 30 * TONNE)
    pool.swap(trader, token_c, token_a, 7 * TONNE + 1)
    pool.redeem(trader, token_b, 3 * TONNE + 7)
    pool.redeem_and_retire(trader, token_a, TONNE + 3, beneficiary="Acme")
    # fees: floor(amount * bps / 10_000) per trade, in pool tokens to the fee recipient
    fee_recipient = local.users[-1]
    fees = pool.balance_of(fee_recipient.address)
    assert fees == sum((amount * 333) // 10_000 for amount in (7 * TONNE + 1, 3 * TONNE + 7, TONNE + 3))
    assert pool.balance_of(trader.address) + fees == pool.total_supply()
    assert_backed(pool)
    pool.redeem(local.sender(fee_recipient), token_c, fees)
    assert_backed(pool)


def test_python_side_validation_raises_coded_errors(local: LocalBridge) -> None:
    pool, (token_a, _, _) = setup_pool(local)
    trader = local.sender(local.users[0])
    for bad in (0, -1, 1.5, True, 2**256):
        with pytest.raises(PoolError) as info:
            pool.deposit(trader, token_a, bad)  # type: ignore[arg-type]
        assert info.value.code is PoolErrorCode.INVALID_POOL_AMOUNT
    with pytest.raises(PoolError) as info:
        pool.swap(trader, token_a, token_a.lower(), TONNE)
    assert info.value.code is PoolErrorCode.SAME_CLASS_SWAP
    with pytest.raises(PoolError) as info:
        pool.redeem(trader, "0x1234", TONNE)
    assert info.value.code is PoolErrorCode.INVALID_POOL_REQUEST and info.value.field == "token"
    with pytest.raises(PoolError) as info:
        pool.redeem_and_retire(trader, token_a, TONNE, beneficiary="")
    assert info.value.code is PoolErrorCode.INVALID_RETIREMENT_DETAILS
    with pytest.raises(PoolError) as info:
        pool.set_fee(1_001)
    assert info.value.code is PoolErrorCode.INVALID_POOL_FEE
    with pytest.raises(PoolError) as info:
        pool.set_rules({"host_countries": ["br"]})
    assert info.value.code is PoolErrorCode.INVALID_POOL_RULES


def test_contract_refusals_surface_with_the_pool_error_named(local: LocalBridge) -> None:
    pool, (token_a, token_b, _) = setup_pool(local)
    trader = local.sender(local.users[0])
    pool.deposit(trader, token_a, 10 * TONNE)
    with pytest.raises(ContractRevert) as info:
        pool.redeem(trader, token_b, TONNE)
    assert info.value.error_name == "PoolInsufficientClassBalance"
    with pytest.raises(ContractRevert) as info:
        pool.deposit(trader, local.users[0].address, TONNE)  # not a class token at all
    assert info.value.error_name in {"PoolNotBridgeToken"}
    assert pool.is_eligible(local.users[0].address) == (False, EligibilityReason.NOT_BRIDGE_TOKEN)
    pool.set_class_cap(token_a, 12 * TONNE)
    with pytest.raises(ContractRevert) as info:
        pool.deposit(trader, token_a, 3 * TONNE)
    assert info.value.error_name == "PoolClassCapExceeded"
    with pytest.raises(ContractRevert) as info:
        pool.set_rules(PoolRules(), sender=trader)  # not a pool manager
    assert info.value.error_name == "AccessControlUnauthorizedAccount"


def test_presets_deploy_and_accept_or_refuse_the_right_classes(local: LocalBridge) -> None:
    holder = local.users[0].address
    classes = {
        "redd_2014": verra_class(project_id="2001", year=2014, methodology="VM0007", labels=0),
        "arr_removal": verra_class(
            project_id="2002", year=2022, methodology="VM0047", labels=Label.REMOVAL | Label.CCP_APPROVED
        ),
        "cookstoves_corsia": verra_class(
            project_id="2003", year=2022, methodology="VMR0006", labels=Label.CORSIA_ELIGIBLE
        ),
        "gs_corsia_old": verra_class(
            project_id="2004", year=2019, program="GS", methodology="GS-TPDDTEC", labels=Label.CORSIA_ELIGIBLE
        ),
        "puro_biochar": verra_class(
            project_id="2005",
            year=2023,
            program="PURO",
            methodology="PURO-BIOCHAR",
            labels=Label.REMOVAL,
            adjustment=Adjustment.NOT_APPLICABLE,
        ),
    }
    tokens = dict(zip(classes, mint_classes(local, list(classes.values()), holder), strict=True))
    pools = deploy_presets(
        local.sender(),
        local.deployment.address,
        admin=local.sender().address,
        fee_recipient=local.users[-1].address,
        artifacts=local.deployment.artifacts,
        gas=POOL_GAS,
        tx_gas=TX_GAS,
    )
    assert pools["nature"].symbol() == "NBT"
    assert pools["removals"].supply_cap() == 5_000_000 * TONNE
    assert pools["removals"].class_cap(tokens["puro_biochar"]) == 250_000 * TONNE
    expected = {
        "nature": {"arr_removal": 0, "redd_2014": 5, "cookstoves_corsia": 3, "puro_biochar": 3},
        "corsia": {"cookstoves_corsia": 0, "gs_corsia_old": 5, "arr_removal": 8, "puro_biochar": 2},
        "ccp": {"arr_removal": 0, "redd_2014": 7, "cookstoves_corsia": 7},
        "removals": {"arr_removal": 0, "puro_biochar": 0, "redd_2014": 9, "cookstoves_corsia": 9},
    }
    trader = local.sender(local.users[0])
    for key, verdicts in expected.items():
        pool = pools[key]
        assert pool.rules() == PRESETS[key].rules
        attached = PoolHandle.attach(local.sender(), pool.address.lower(), local.deployment.artifacts)
        assert (attached.name(), attached.symbol()) == (PRESETS[key].name, PRESETS[key].symbol)
        assert pool.fee_bps() == PRESETS[key].fee_bps
        for name, reason in verdicts.items():
            assert pool.is_eligible(tokens[name]).reason == reason, (key, name)
            assert pool.rules().eligibility(classes[name]).reason == reason, (key, name)
        accepted = next(name for name, reason in verdicts.items() if reason == 0)
        pool.deposit(trader, tokens[accepted], TONNE)
        assert pool.composition()[tokens[accepted]].amount == TONNE


def test_deploying_needs_a_name_and_an_admin_sender_for_caps(local: LocalBridge) -> None:
    with pytest.raises(PoolError) as info:
        pool_for(local, PoolRules(), name="")
    assert info.value.field == "name"
    with pytest.raises(PoolError) as info:
        pool_for(local, "removals", admin=local.users[1].address)
    assert info.value.code is PoolErrorCode.POOL_NOT_ADMIN
    with pytest.raises(PoolError) as info:
        pool_for(local, PoolRules(), fee_bps=5_000)
    assert info.value.code is PoolErrorCode.INVALID_POOL_FEE
    # without caps another account may be the admin; the deployer then manages nothing
    pool = pool_for(local, PoolRules(), admin=local.users[1].address)
    with pytest.raises(ContractRevert) as revert:
        pool.set_fee(10)
    assert revert.value.error_name == "AccessControlUnauthorizedAccount"
    assert pool.set_rules(PoolRules(programs=["GS"]), sender=local.sender(local.users[1])) == 2
