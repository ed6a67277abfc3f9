// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

import {CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";
import {EligibilityReason, ICarbonPool, PoolRules} from "../../../contracts/interfaces/ICarbonPool.sol";
import {CarbonPool} from "../../../contracts/pool/CarbonPool.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {FakeClassToken} from "./FakeClassToken.sol";
import {PoolFixture} from "./PoolFixture.sol";
import {Retirements} from "../utils/Retirements.sol";

/// @notice Drives a pool at random: deposits, redeems, swaps and redeem-and-retires by several traders,
/// attempted deposits of a fake token, and random rule changes (tightening and loosening), caps, fees and
/// pauses by the manager. An independent model of the rules says which deposits must be refused.
contract PoolHandler is Test {
    CarbonPool public immutable pool;
    address public immutable manager;
    FakeClassToken public immutable fake;

    CarbonCreditToken[] public tokens;
    CreditClass[] internal classes;
    address[] public actors;

    /// @dev The rules the handler last set (the model's copy).
    PoolRules internal model;

    string[] internal programPool;
    string[] internal methodologyPool;
    string[] internal countryPool;
    uint32[7] internal vintagePool = [uint32(0), 0, 20180101, 20190101, 20210101, 20230101, 20300101];

    // Ghosts: set if the pool ever did what it must not.
    bool public ghostIneligibleAccepted;
    /// @dev The pool refused an eligible class for its rules, or refused an ineligible one for another reason.
    bool public ghostModelMismatch;
    bool public ghostFakeAccepted;
    bool public ghostCapExceeded;

    mapping(bytes4 => uint256) public calls;
    mapping(bytes4 => uint256) public successes;

    constructor(
        CarbonPool pool_,
        address manager_,
        FakeClassToken fake_,
        CarbonCreditToken[] memory tokens_,
        CreditClass[] memory classes_,
        address[] memory actors_
    ) {
        pool = pool_;
        manager = manager_;
        fake = fake_;
        for (uint256 i; i < tokens_.length; ++i) {
            tokens.push(tokens_[i]);
            classes.push(classes_[i]);
        }
        actors = actors_;
        string[7] memory programs = ["VCS", "GS", "PURO", "PACM", "CAR", "ACR", "CDM"];
        for (uint256 i; i < programs.length; ++i) {
            programPool.push(programs[i]);
        }
        string[7] memory methodologies =
            ["VM0015", "AMS-I.D.", "PURO-BIOCHAR", "A6.4-AM-001", "", "VM0001", "AR-ACM0003"];
        for (uint256 i; i < methodologies.length; ++i) {
            methodologyPool.push(methodologies[i]);
        }
        string[6] memory countries = ["ID", "IN", "FI", "GH", "US", "BR"];
        for (uint256 i; i < countries.length; ++i) {
            countryPool.push(countries[i]);
        }
        // The pool starts with open rules.
    }

    // ---------------------------------------------------------------- trader actions

    function deposit(uint256 actorSeed, uint256 classSeed, uint256 amountSeed) external {
        calls[this.deposit.selector]++;
        address actor = actors[actorSeed % actors.length];
        uint256 index = classSeed % tokens.length;
        CarbonCreditToken token = tokens[index];
        uint256 balance = token.balanceOf(actor);
        if (balance == 0) return;
        uint256 amount = _amount(amountSeed, balance);
        bool expected = _modelEligible(classes[index]);
        (uint256 heldBefore, uint256 supplyBefore) = (pool.classBalance(address(token)), pool.totalSupply());
        vm.startPrank(actor);
        token.approve(address(pool), amount);
        try pool.deposit(address(token), amount) {
            successes[this.deposit.selector]++;
            if (!expected) ghostIneligibleAccepted = true;
            _checkCaps(address(token), heldBefore, supplyBefore);
        } catch (bytes memory err) {
            // The pause is checked first; then eligibility, so an ineligible class is refused for that.
            bool refusedForRules = _selector(err) == ICarbonPool.PoolClassNotEligible.selector;
            if (!pool.paused() && refusedForRules == expected) ghostModelMismatch = true;
        }
        vm.stopPrank();
    }

    function depositFake(uint256 actorSeed, uint256 amountSeed) external {
        calls[this.depositFake.selector]++;
        address actor = actors[actorSeed % actors.length];
        uint256 amount = _bound(amountSeed, 1, 1e24);
        fake.mint(actor, amount);
        vm.startPrank(actor);
        fake.approve(address(pool), amount);
        try pool.deposit(address(fake), amount) {
            ghostFakeAccepted = true;
        } catch {}
        vm.stopPrank();
    }

    function redeem(uint256 actorSeed, uint256 classSeed, uint256 amountSeed) external {
        calls[this.redeem.selector]++;
        address actor = actors[actorSeed % actors.length];
        uint256 poolBalance = pool.balanceOf(actor);
        if (poolBalance == 0) return;
        address token = _heldClass(classSeed);
        uint256 amount = _amount(amountSeed, _redeemable(token, poolBalance, amountSeed));
        vm.prank(actor);
        try pool.redeem(token, amount) {
            successes[this.redeem.selector]++;
        } catch {}
    }

    function redeemAndRetire(uint256 actorSeed, uint256 classSeed, uint256 amountSeed) external {
        calls[this.redeemAndRetire.selector]++;
        address actor = actors[actorSeed % actors.length];
        uint256 poolBalance = pool.balanceOf(actor);
        if (poolBalance == 0) return;
        address token = _heldClass(classSeed);
        uint256 amount = _amount(amountSeed, _redeemable(token, poolBalance, amountSeed));
        vm.prank(actor);
        try pool.redeemAndRetire(token, amount, Retirements.simple("beneficiary", "invariant run")) {
            successes[this.redeemAndRetire.selector]++;
        } catch {}
    }

    function swap(uint256 actorSeed, uint256 inSeed, uint256 outSeed, uint256 amountSeed) external {
        calls[this.swap.selector]++;
        address actor = actors[actorSeed % actors.length];
        uint256 index = inSeed % tokens.length;
        CarbonCreditToken classIn = tokens[index];
        address classOut = _heldClass(outSeed);
        uint256 balance = classIn.balanceOf(actor);
        if (balance == 0) return;
        // Mostly what the pool can pay out of `classOut` (the fee is at most 10%), sometimes anything.
        uint256 payable_ = pool.classBalance(classOut);
        uint256 max = amountSeed % 4 != 0 && payable_ != 0 && payable_ < balance ? payable_ : balance;
        uint256 amount = _amount(amountSeed, max);
        bool expected = _modelEligible(classes[index]);
        (uint256 heldBefore, uint256 supplyBefore) = (pool.classBalance(address(classIn)), pool.totalSupply());
        vm.startPrank(actor);
        classIn.approve(address(pool), amount);
        try pool.swap(address(classIn), classOut, amount) {
            successes[this.swap.selector]++;
            if (!expected) ghostIneligibleAccepted = true;
            _checkCaps(address(classIn), heldBefore, supplyBefore);
        } catch (bytes memory err) {
            if (expected && _selector(err) == ICarbonPool.PoolClassNotEligible.selector) ghostModelMismatch = true;
        }
        vm.stopPrank();
    }

    function transferPoolTokens(uint256 fromSeed, uint256 toSeed, uint256 amountSeed) external {
        address from = actors[fromSeed % actors.length];
        uint256 balance = pool.balanceOf(from);
        if (balance == 0) return;
        vm.prank(from);
        assertTrue(pool.transfer(actors[toSeed % actors.length], _amount(amountSeed, balance)));
    }

    // ---------------------------------------------------------------- manager actions

    function changeRules(uint256 seed) external {
        calls[this.changeRules.selector]++;
        PoolRules memory r;
        // Each set is empty ("any") two times in three, else a random subset (possibly of unknown values only).
        r.programs = _subset(programPool, seed, 0);
        r.methodologies = _subset(methodologyPool, seed, 1);
        r.deniedMethodologies = _subset(methodologyPool, seed, 2);
        r.hostCountries = _subset(countryPool, seed, 3);
        r.minVintageStart = vintagePool[uint256(keccak256(abi.encode(seed, 4))) % vintagePool.length];
        // Labels are rarely all required at once: bias towards few.
        uint256 labelSeed = uint256(keccak256(abi.encode(seed, 5)));
        r.requiredLabels = labelSeed % 3 == 0 ? uint8((labelSeed >> 8) % 16) : 0;
        r.requireCorrespondingAdjustment = uint256(keccak256(abi.encode(seed, 6))) % 4 == 0;
        vm.prank(manager);
        pool.setRules(r);
        model = r;
    }

    function openRules() external {
        calls[this.openRules.selector]++;
        PoolRules memory r;
        vm.prank(manager);
        pool.setRules(r);
        model = r;
    }

    function changeCaps(uint256 seed, uint256 capSeed) external {
        calls[this.changeCaps.selector]++;
        uint256 choice = seed % 6;
        // Caps around the current scale, sometimes below what is held.
        uint128 cap = uint128(_bound(capSeed, 0, 3 * pool.totalSupply() + 30_000e18));
        vm.startPrank(manager);
        if (choice == 0) {
            pool.setSupplyCap(cap);
        } else if (choice == 1) {
            pool.setDefaultClassCap(cap);
        } else if (choice == 2) {
            pool.setClassCap(address(tokens[(seed >> 8) % tokens.length]), cap);
        } else if (choice == 3) {
            pool.clearClassCap(address(tokens[(seed >> 8) % tokens.length]));
        } else if (choice == 4 || choice == 5) {
            pool.setSupplyCap(type(uint128).max);
            pool.setDefaultClassCap(type(uint128).max);
        }
        vm.stopPrank();
    }

    function changeFee(uint256 bpsSeed) external {
        vm.prank(manager);
        pool.setFee(uint16(_bound(bpsSeed, 0, 1000)));
    }

    /// @dev Unpauses if paused; else pauses one time in four (so pauses are short).
    function togglePause(uint256 seed) external {
        vm.startPrank(manager);
        if (pool.paused()) pool.unpause();
        else if (seed % 4 == 0) pool.pause();
        vm.stopPrank();
    }

    // ---------------------------------------------------------------- model and helpers

    /// @dev The rules, evaluated here independently of the pool.
    function _modelEligible(CreditClass memory c) internal view returns (bool) {
        if (model.programs.length != 0 && !_contains(model.programs, c.program)) return false;
        if (model.methodologies.length != 0 && !_contains(model.methodologies, c.methodology)) return false;
        if (_contains(model.deniedMethodologies, c.methodology)) return false;
        if (c.vintageStart < model.minVintageStart) return false;
        if (model.hostCountries.length != 0 && !_contains(model.hostCountries, c.hostCountry)) return false;
        if (c.labels & model.requiredLabels != model.requiredLabels) return false;
        if (model.requireCorrespondingAdjustment && c.adjustment != 4) return false;
        return true;
    }

    function _contains(string[] storage values, string memory value) internal view returns (bool) {
        for (uint256 i; i < values.length; ++i) {
            if (keccak256(bytes(values[i])) == keccak256(bytes(value))) return true;
        }
        return false;
    }

    /// @dev Empty two times in three; else each value in with probability 1/2 (no duplicates).
    function _subset(string[] storage values, uint256 seed, uint256 salt) internal view returns (string[] memory out) {
        uint256 r = uint256(keccak256(abi.encode(seed, salt)));
        if (r % 3 != 0) return new string[](0);
        r >>= 8;
        uint256 count;
        for (uint256 i; i < values.length; ++i) {
            if ((r >> (i + 1)) & 1 == 1) ++count;
        }
        out = new string[](count);
        uint256 k;
        for (uint256 i; i < values.length; ++i) {
            if ((r >> (i + 1)) & 1 == 1) out[k++] = values[i];
        }
    }

    /// @dev After a successful deposit or swap into `token` (holding and supply before it given): what grew
    /// must be within its cap. (A cap lowered below what is held stops growth, not redemptions; a swap with
    /// a zero fee leaves the supply as it was.)
    function _checkCaps(address token, uint256 heldBefore, uint256 supplyBefore) internal {
        uint256 held = pool.classBalance(token);
        if (held > heldBefore && held > pool.classCap(token)) ghostCapExceeded = true;
        uint256 supply = pool.totalSupply();
        if (supply > supplyBefore && supply > pool.supplyCap()) ghostCapExceeded = true;
    }

    /// @dev The first four bytes of revert data (zero if shorter).
    function _selector(bytes memory err) internal pure returns (bytes4 selector) {
        if (err.length >= 4) {
            selector = bytes4(err[0]) | (bytes4(err[1]) >> 8) | (bytes4(err[2]) >> 16) | (bytes4(err[3]) >> 24);
        }
    }

    /// @dev A class the pool holds (if any), else any known class.
    function _heldClass(uint256 seed) internal view returns (address) {
        uint256 count = pool.classCount();
        if (count == 0 || seed % 8 == 0) return address(tokens[seed % tokens.length]);
        return pool.classAt(seed % count);
    }

    /// @dev Mostly at most what the pool holds of `token` (a redemption of more fails), sometimes anything up
    /// to `poolBalance`.
    function _redeemable(address token, uint256 poolBalance, uint256 seed) internal view returns (uint256) {
        uint256 held = pool.classBalance(token);
        return (seed >> 128) % 4 != 0 && held != 0 && held < poolBalance ? held : poolBalance;
    }

    /// @dev Mostly a fraction of `max`, sometimes all of it, sometimes a few wei.
    function _amount(uint256 seed, uint256 max) internal pure returns (uint256) {
        uint256 mode = seed % 8;
        if (mode == 0) return max;
        if (mode == 1) return _bound(seed >> 8, 1, max < 100 ? max : 100);
        return _bound(seed >> 8, 1, max);
    }

    function tokenCount() external view returns (uint256) {
        return tokens.length;
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }
}

contract CarbonPoolInvariantTest is PoolFixture {
    PoolHandler internal handler;
    CarbonCreditToken[] internal tokens;

    function setUp() public override {
        super.setUp();
        CreditClass[] memory classes = new CreditClass[](6);
        classes[0] = vcs();
        classes[1] = gs();
        classes[2] = puro();
        classes[3] = pacm();
        classes[4] = CreditClass({
            program: "CAR",
            projectId: "1021",
            vintageStart: 20180101,
            vintageEnd: 20181231,
            methodology: "",
            hostCountry: "US",
            labels: REMOVAL,
            adjustment: CA_NOT_APPLICABLE,
            unitDecimals: 0
        });
        classes[5] = CreditClass({
            program: "ACR",
            projectId: "412",
            vintageStart: 20220101,
            vintageEnd: 20221231,
            methodology: "AR-ACM0003",
            hostCountry: "BR",
            labels: CORSIA | REMOVAL | ARTICLE6,
            adjustment: 3,
            unitDecimals: 0
        });
        address[] memory actors = new address[](4);
        actors[0] = alice;
        actors[1] = bob;
        actors[2] = makeAddr("carol");
        actors[3] = feeTo; // fees get spent too
        CarbonCreditToken[] memory tokens_ = new CarbonCreditToken[](classes.length);
        for (uint256 i; i < classes.length; ++i) {
            for (uint256 a; a < 3; ++a) {
                tokens_[i] = mintClass(classes[i], 10_000, actors[a]);
            }
            tokens.push(tokens_[i]);
        }
        FakeClassToken fake = new FakeClassToken(address(bridge), classIdOf(vcs()), vcs());
        handler = new PoolHandler(pool, manager, fake, tokens_, classes, actors);
        vm.startPrank(admin);
        pool.grantRole(pool.POOL_MANAGER_ROLE(), manager);
        pool.grantRole(pool.PAUSER_ROLE(), manager);
        vm.stopPrank();

        bytes4[] memory selectors = new bytes4[](13);
        selectors[0] = PoolHandler.deposit.selector;
        selectors[1] = PoolHandler.deposit.selector; // deposits twice as likely
        selectors[2] = PoolHandler.redeem.selector;
        selectors[3] = PoolHandler.redeemAndRetire.selector;
        selectors[4] = PoolHandler.swap.selector;
        selectors[5] = PoolHandler.swap.selector;
        selectors[6] = PoolHandler.depositFake.selector;
        selectors[7] = PoolHandler.transferPoolTokens.selector;
        selectors[8] = PoolHandler.changeRules.selector;
        selectors[9] = PoolHandler.openRules.selector;
        selectors[10] = PoolHandler.changeCaps.selector;
        selectors[11] = PoolHandler.changeFee.selector;
        selectors[12] = PoolHandler.togglePause.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @dev Supply == the holdings the pool accounts for == the class tokens it actually holds.
    function invariant_supplyEqualsHoldings() public view {
        (address[] memory held, uint256[] memory amounts) = pool.composition();
        uint256 sum;
        for (uint256 i; i < held.length; ++i) {
            assertGt(amounts[i], 0, "listed class with zero holding");
            sum += amounts[i];
        }
        assertEq(pool.totalSupply(), sum, "supply != accounted holdings");
        uint256 actual;
        for (uint256 i; i < tokens.length; ++i) {
            uint256 accounted = pool.classBalance(address(tokens[i]));
            assertEq(tokens[i].balanceOf(address(pool)), accounted, "class balance != accounted holding");
            actual += accounted;
        }
        assertEq(pool.totalSupply(), actual, "supply != class tokens held");
    }

    /// @dev Every class with a holding is listed exactly once in the composition.
    function invariant_compositionListsEveryHeldClass() public view {
        uint256 nonZero;
        for (uint256 i; i < tokens.length; ++i) {
            if (pool.classBalance(address(tokens[i])) != 0) ++nonZero;
        }
        assertEq(pool.classCount(), nonZero);
    }

    /// @dev Pool tokens are all with the traders (fees included): none created or lost.
    function invariant_poolTokensAreAllAccountedFor() public view {
        uint256 sum;
        for (uint256 i; i < handler.actorCount(); ++i) {
            sum += pool.balanceOf(handler.actors(i));
        }
        assertEq(sum, pool.totalSupply());
    }

    function invariant_noIneligibleOrFakeClassIsEverAccepted() public view {
        assertFalse(handler.ghostIneligibleAccepted(), "an ineligible class was accepted");
        assertFalse(handler.ghostFakeAccepted(), "a fake token was accepted");
        assertFalse(handler.ghostModelMismatch(), "the pool and the model disagree on eligibility");
    }

    function invariant_capsAreNeverExceededByADeposit() public view {
        assertFalse(handler.ghostCapExceeded(), "a deposit or swap exceeded a cap");
    }

    function afterInvariant() external view {
        console.log(
            "deposits ok/tried",
            handler.successes(PoolHandler.deposit.selector),
            handler.calls(PoolHandler.deposit.selector)
        );
        console.log(
            "redeems ok/tried",
            handler.successes(PoolHandler.redeem.selector),
            handler.calls(PoolHandler.redeem.selector)
        );
        console.log(
            "swaps ok/tried", handler.successes(PoolHandler.swap.selector), handler.calls(PoolHandler.swap.selector)
        );
        console.log(
            "retires ok/tried",
            handler.successes(PoolHandler.redeemAndRetire.selector),
            handler.calls(PoolHandler.redeemAndRetire.selector)
        );
        console.log(
            "rule changes",
            handler.calls(PoolHandler.changeRules.selector) + handler.calls(PoolHandler.openRules.selector)
        );
    }
}
