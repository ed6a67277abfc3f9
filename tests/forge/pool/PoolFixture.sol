// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";
import {PoolRules} from "../../../contracts/interfaces/ICarbonPool.sol";
import {CarbonPool} from "../../../contracts/pool/CarbonPool.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";

/// @notice Shared set-up for pool tests: the real bridge (harness, which retires), sample classes with
/// varied attributes, class tokens minted with real verifier signatures, and a pool with open rules.
abstract contract PoolFixture is BridgeFixture {
    uint8 internal constant CCP = 1;
    uint8 internal constant CORSIA = 2;
    uint8 internal constant REMOVAL = 4;
    uint8 internal constant ARTICLE6 = 8;
    uint8 internal constant CA_NOT_APPLICABLE = 1;
    uint8 internal constant CA_NOT_STARTED = 2;
    uint8 internal constant CA_COMPLETED = 4;
    uint16 internal constant FEE_BPS = 100;

    address internal feeTo = makeAddr("feeTo");
    address internal manager = makeAddr("manager");

    CarbonPool internal pool;

    function setUp() public virtual override {
        super.setUp();
        pool = deployPool(openRules(), FEE_BPS);
        vm.startPrank(admin);
        pool.grantRole(pool.POOL_MANAGER_ROLE(), manager);
        vm.stopPrank();
    }

    // ---------------------------------------------------------------- classes

    /// @dev VCS, VM0015, Indonesia, 2019, CCP + CORSIA, adjustment not applicable (vcs1477 from the fixture).
    function vcs() internal pure returns (CreditClass memory) {
        return vcs1477();
    }

    /// @dev GS, AMS-I.D., India, 2021, CORSIA, adjustment completed (gs5000 from the fixture).
    function gs() internal pure returns (CreditClass memory) {
        return gs5000();
    }

    /// @dev Puro.earth biochar removal, Finland, 2023, CCP + REMOVAL, adjustment not started.
    function puro() internal pure returns (CreditClass memory) {
        return CreditClass({
            program: "PURO",
            projectId: "BC-77",
            vintageStart: 20230101,
            vintageEnd: 20231231,
            methodology: "PURO-BIOCHAR",
            hostCountry: "FI",
            labels: CCP | REMOVAL,
            adjustment: CA_NOT_STARTED,
            unitDecimals: 0
        });
    }

    /// @dev PACM, Ghana, 2024, CCP + CORSIA + ARTICLE6, adjustment completed.
    function pacm() internal pure returns (CreditClass memory) {
        return CreditClass({
            program: "PACM",
            projectId: "A64-0001",
            vintageStart: 20240101,
            vintageEnd: 20241231,
            methodology: "A6.4-AM-001",
            hostCountry: "GH",
            labels: CCP | CORSIA | ARTICLE6,
            adjustment: CA_COMPLETED,
            unitDecimals: 0
        });
    }

    // ---------------------------------------------------------------- helpers

    /// @dev Rules that accept every genuine class.
    function openRules() internal pure returns (PoolRules memory r) {
        r.programs = new string[](0);
        r.methodologies = new string[](0);
        r.deniedMethodologies = new string[](0);
        r.hostCountries = new string[](0);
    }

    function list(string memory a) internal pure returns (string[] memory out) {
        out = new string[](1);
        out[0] = a;
    }

    function list(string memory a, string memory b) internal pure returns (string[] memory out) {
        out = new string[](2);
        out[0] = a;
        out[1] = b;
    }

    function deployPool(PoolRules memory r, uint16 bps) internal returns (CarbonPool) {
        return new CarbonPool("Nature Carbon Tonne", "NCT", admin, feeTo, bps, r, address(bridge));
    }

    uint64 private _nextUnit = 1;

    /// @dev Bridges `tonnes` of `c` to `to` and returns the class token.
    function mintClass(CreditClass memory c, uint64 tonnes, address to) internal returns (CarbonCreditToken) {
        mintLock(lockOf(c, _nextUnit, tonnes, to));
        _nextUnit += tonnes;
        return CarbonCreditToken(bridge.classToken(classIdOf(c)));
    }

    /// @dev `who` approves the pool and deposits `amount` of `token`.
    function depositAs(address who, CarbonCreditToken token, uint256 amount) internal {
        vm.startPrank(who);
        token.approve(address(pool), amount);
        pool.deposit(address(token), amount);
        vm.stopPrank();
    }

    function setRulesAs(PoolRules memory r) internal {
        vm.prank(manager);
        pool.setRules(r);
    }

    /// @dev Sum of the holdings the pool accounts for.
    function sumHoldings() internal view returns (uint256 total) {
        (, uint256[] memory amounts) = pool.composition();
        for (uint256 i; i < amounts.length; ++i) {
            total += amounts[i];
        }
    }
}
