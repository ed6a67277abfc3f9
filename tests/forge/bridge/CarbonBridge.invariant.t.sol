// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

import {Attestation, CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";
import {IBatchLedger} from "../../../contracts/interfaces/IBatchLedger.sol";
import {IRedemptionEscrow} from "../../../contracts/interfaces/IRedemptionEscrow.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {CarbonBridgeHarness} from "../harness/CarbonBridgeHarness.sol";
import {BatchSplits} from "../utils/BatchSplits.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";
import {Retirements} from "../utils/Retirements.sol";

/// @notice Drives the bridge at random: mints (real verifier signatures), batch mints, transfers, burns
/// through the harness's `_burnFromBatch`, re-bridging of released serials, and attempts to bridge an
/// active serial again or replay a nonce (which must fail); redemptions requested, finalized over random
/// batch splits, cancelled, and ended again (which must fail); retirements of random fractions, and their
/// settlement in whole tonnes over random batch splits, and replays of settlement ids (which must fail).
/// The handler holds SETTLER_ROLE.
contract BridgeHandler is Test {
    uint256 internal constant TONNE = 1e18;

    struct Bridged {
        uint256 classIndex;
        string serial;
        uint64 blockStart;
        uint64 quantity;
    }

    CarbonBridgeHarness public immutable bridge;
    uint256[] internal keys;
    CreditClass[] internal classes;
    address[] public actors;

    bytes32[] public batchKeys;
    mapping(bytes32 batchKey => Bridged) internal bridged;
    uint256 internal nextNonce = 1_000_000;
    uint64 internal nextUnit = 1;

    /// @dev Set if the bridge ever accepted what it must refuse.
    bool public ghostAcceptedDuplicate;
    bool public ghostAcceptedReplay;
    bool public ghostEndedTwice;
    bool public ghostAcceptedSettlementReplay;
    uint256 public ghostMints;
    uint256 public ghostBurns;
    uint256 public ghostRebridges;

    /// @dev What the handler knows of each redemption it requested.
    struct GhostRedemption {
        address holder;
        uint256 classIndex;
        uint64 tonnes;
        IRedemptionEscrow.RedemptionStatus status;
        uint256 endings;
    }

    uint256[] public redemptionIds;
    mapping(uint256 redemptionId => GhostRedemption) internal ghostRedemptions;
    uint256 public ghostRequested;
    uint256 public ghostFinalized;
    uint256 public ghostCancelled;
    /// @dev Per class index: wei escrowed by pending redemptions, retired, and settled.
    mapping(uint256 classIndex => uint256) public ghostEscrowed;
    mapping(uint256 classIndex => uint256) public ghostRetired;
    mapping(uint256 classIndex => uint256) public ghostSettled;
    uint256 public ghostRetirements;
    uint256 public ghostSettlements;
    bytes32 internal lastSettlementId;

    constructor(CarbonBridgeHarness bridge_, uint256[] memory sortedKeys, CreditClass[] memory classes_) {
        bridge = bridge_;
        keys = sortedKeys;
        for (uint256 i; i < classes_.length; ++i) {
            classes.push(classes_[i]);
        }
        actors.push(makeAddr("actor0"));
        actors.push(makeAddr("actor1"));
        actors.push(makeAddr("actor2"));
        actors.push(makeAddr("actor3"));
    }

    // ---------------------------------------------------------------- actions

    function mint(uint256 classSeed, uint256 actorSeed, uint256 quantitySeed) external {
        uint256 classIndex = classSeed % classes.length;
        // Mostly small blocks (so that burns release them), sometimes huge ones.
        uint64 quantity = uint64(quantitySeed % 4 == 0 ? bound(quantitySeed, 1, 1e15) : bound(quantitySeed, 1, 100));
        Attestation memory a = _fresh(classIndex, quantity, actors[actorSeed % actors.length]);
        bytes32 key = bridge.mint(a, _sign(a));
        _remember(key, classIndex, a);
    }

    function mintBatch(uint256 seed, uint256 countSeed) external {
        uint256 count = bound(countSeed, 1, 4);
        Attestation[] memory atts = new Attestation[](count);
        bytes[][] memory sigs = new bytes[][](count);
        uint256[] memory classIndexes = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            classIndexes[i] = r % classes.length;
            atts[i] = _fresh(classIndexes[i], uint64(bound(r >> 8, 1, 100)), actors[(r >> 128) % actors.length]);
            sigs[i] = _sign(atts[i]);
        }
        bytes32[] memory keysOut = bridge.mintBatch(atts, sigs);
        for (uint256 i; i < count; ++i) {
            _remember(keysOut[i], classIndexes[i], atts[i]);
        }
    }

    function transfer(uint256 classSeed, uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        CarbonCreditToken token = _token(classSeed % classes.length);
        if (address(token) == address(0)) return;
        address from = actors[fromSeed % actors.length];
        address to = actors[toSeed % actors.length];
        amount = bound(amount, 0, token.balanceOf(from));
        vm.prank(from);
        assertTrue(token.transfer(to, amount));
    }

    /// @dev Burns whole tonnes of a random active batch from the holder of its class with most tokens.
    function burn(uint256 batchSeed, uint256 tonnesSeed) external {
        if (batchKeys.length == 0) return;
        bytes32 key = batchKeys[batchSeed % batchKeys.length];
        IBatchLedger.BridgedBatch memory record = bridge.batch(key);
        if (record.status != IBatchLedger.BatchStatus.Active) return;
        CarbonCreditToken token = CarbonCreditToken(record.token);
        address holder = actors[0];
        for (uint256 i = 1; i < actors.length; ++i) {
            if (token.balanceOf(actors[i]) > token.balanceOf(holder)) holder = actors[i];
        }
        uint256 maxTonnes = token.balanceOf(holder) / TONNE;
        if (maxTonnes > record.remaining) maxTonnes = record.remaining;
        if (maxTonnes == 0) return;
        // Every other burn takes all it can, so that batches do get released.
        uint64 tonnes = SafeCast.toUint64(tonnesSeed % 2 == 0 ? maxTonnes : bound(tonnesSeed, 1, maxTonnes));
        bridge.exposed_burnFromBatch(key, holder, tonnes);
        ++ghostBurns;
    }

    /// @dev Bridges a released serial again (allowed), with a fresh nonce.
    function rebridge(uint256 batchSeed, uint256 actorSeed) external {
        if (batchKeys.length == 0) return;
        bytes32 key = batchKeys[batchSeed % batchKeys.length];
        if (bridge.batch(key).status != IBatchLedger.BatchStatus.Released) return;
        Bridged storage b = bridged[key];
        Attestation memory a = _attestation(b.classIndex, b.serial, b.blockStart, b.quantity);
        a.recipient = actors[actorSeed % actors.length];
        bytes32 again = bridge.mint(a, _sign(a));
        assertEq(again, key);
        ++ghostRebridges;
    }

    /// @dev Tries to bridge an active serial again with a fresh nonce: must be refused.
    function duplicate(uint256 batchSeed) external {
        if (batchKeys.length == 0) return;
        bytes32 key = batchKeys[batchSeed % batchKeys.length];
        if (bridge.batch(key).status != IBatchLedger.BatchStatus.Active) return;
        Bridged storage b = bridged[key];
        Attestation memory a = _attestation(b.classIndex, b.serial, b.blockStart, b.quantity);
        try bridge.mint(a, _sign(a)) {
            ghostAcceptedDuplicate = true;
        } catch {}
    }

    /// @dev Tries to reuse a spent nonce for a brand-new serial: must be refused.
    function replayNonce(uint256 classSeed) external {
        if (nextNonce == 1_000_000) return;
        Attestation memory a = _fresh(classSeed % classes.length, 1, actors[0]);
        a.nonce = nextNonce - 2; // the last nonce a successful or attempted mint used
        if (!bridge.isNonceUsed(a.nonce)) return;
        try bridge.mint(a, _sign(a)) {
            ghostAcceptedReplay = true;
        } catch {}
    }

    /// @dev An actor asks for whole tonnes of a class it holds.
    function requestRedemption(uint256 actorSeed, uint256 classSeed, uint256 tonnesSeed) external {
        uint256 classIndex = classSeed % classes.length;
        CarbonCreditToken token = _token(classIndex);
        if (address(token) == address(0)) return;
        address holder = actors[actorSeed % actors.length];
        uint256 maxTonnes = token.balanceOf(holder) / TONNE;
        if (maxTonnes == 0) return;
        uint64 tonnes = SafeCast.toUint64(bound(tonnesSeed, 1, maxTonnes));
        bytes32 classId = _classId(classIndex); // before the prank, which the next call consumes
        vm.prank(holder);
        uint256 id = bridge.requestRedemption(classId, uint256(tonnes) * TONNE, "ACCT-1");
        redemptionIds.push(id);
        ghostRedemptions[id] =
            GhostRedemption(holder, classIndex, tonnes, IRedemptionEscrow.RedemptionStatus.Pending, 0);
        ghostEscrowed[classIndex] += uint256(tonnes) * TONNE;
        ++ghostRequested;
    }

    /// @dev Finalizes a pending redemption over a random split of its class's active batches.
    function finalizeRedemption(uint256 idSeed, uint256 splitSeed) external {
        (bool found, uint256 id) = _pick(idSeed, true);
        if (!found) return;
        GhostRedemption storage r = ghostRedemptions[id];
        (bytes32[] memory keys, uint64[] memory tonnes) = _plan(r.classIndex, r.tonnes, splitSeed);
        bridge.finalizeRedemption(id, keys, tonnes, "released");
        r.status = IRedemptionEscrow.RedemptionStatus.Finalized;
        ++r.endings;
        ghostEscrowed[r.classIndex] -= uint256(r.tonnes) * TONNE;
        ++ghostFinalized;
    }

    /// @dev Cancels a pending redemption.
    function cancelRedemption(uint256 idSeed) external {
        (bool found, uint256 id) = _pick(idSeed, true);
        if (!found) return;
        GhostRedemption storage r = ghostRedemptions[id];
        bridge.cancelRedemption(id, "refused");
        r.status = IRedemptionEscrow.RedemptionStatus.Cancelled;
        ++r.endings;
        ghostEscrowed[r.classIndex] -= uint256(r.tonnes) * TONNE;
        ++ghostCancelled;
    }

    /// @dev Tries to finalize or cancel a redemption that already ended: must be refused.
    function endAgain(uint256 idSeed, bool finalize, uint256 splitSeed) external {
        (bool found, uint256 id) = _pick(idSeed, false);
        if (!found) return;
        GhostRedemption storage r = ghostRedemptions[id];
        if (finalize) {
            uint64 available = SafeCast.toUint64(bridge.classReserve(_classId(r.classIndex)));
            if (available < r.tonnes) return;
            (bytes32[] memory keys, uint64[] memory tonnes) = _plan(r.classIndex, r.tonnes, splitSeed);
            try bridge.finalizeRedemption(id, keys, tonnes, "again") {
                ghostEndedTwice = true;
            } catch {}
        } else {
            try bridge.cancelRedemption(id, "again") {
                ghostEndedTwice = true;
            } catch {}
        }
    }

    /// @dev An actor retires a random amount (usually a fraction of a tonne or more) of a class it holds.
    function retire(uint256 actorSeed, uint256 classSeed, uint256 amountSeed) external {
        uint256 classIndex = classSeed % classes.length;
        CarbonCreditToken token = _token(classIndex);
        if (address(token) == address(0)) return;
        address holder = actors[actorSeed % actors.length];
        uint256 balance = token.balanceOf(holder);
        if (balance == 0) return;
        // Half the time below 10 t, so that the fractions matter.
        uint256 cap = amountSeed % 2 == 0 && balance > 10 * TONNE ? 10 * TONNE : balance;
        uint256 amount = bound(amountSeed, 1, cap);
        bytes32 classId = _classId(classIndex); // before the prank, which the next call consumes
        vm.prank(holder);
        bridge.retire(classId, amount, Retirements.simple("Beneficiary", "Reason"));
        ghostRetired[classIndex] += amount;
        ++ghostRetirements;
    }

    /// @dev Settles some of a class's unsettled whole tonnes over a random split of its active batches.
    function settleRetirements(uint256 classSeed, uint256 tonnesSeed, uint256 splitSeed) external {
        uint256 classIndex = classSeed % classes.length;
        if (address(_token(classIndex)) == address(0)) return;
        bytes32 classId = _classId(classIndex);
        uint256 whole = bridge.retiredUnsettled(classId) / TONNE;
        if (whole == 0) return;
        // Every other settlement takes all whole tonnes.
        uint64 tonnes = SafeCast.toUint64(tonnesSeed % 2 == 0 ? whole : bound(tonnesSeed, 1, whole));
        (bytes32[] memory keys, uint64[] memory amounts) = _plan(classIndex, tonnes, splitSeed);
        bytes32 settlementId = keccak256(abi.encode("settlement", ghostSettlements));
        bridge.settleRetirements(settlementId, classId, keys, amounts, "VCS-RET");
        lastSettlementId = settlementId;
        ghostSettled[classIndex] += uint256(tonnes) * TONNE;
        ++ghostSettlements;
    }

    /// @dev Replays the last settlement id (with a valid plan otherwise): must be refused.
    function replaySettlement(uint256 classSeed, uint256 splitSeed) external {
        if (ghostSettlements == 0) return;
        uint256 classIndex = classSeed % classes.length;
        bytes32 classId = _classId(classIndex);
        if (bridge.retiredUnsettled(classId) < TONNE) return;
        (bytes32[] memory keys, uint64[] memory amounts) = _plan(classIndex, 1, splitSeed);
        try bridge.settleRetirements(lastSettlementId, classId, keys, amounts, "again") {
            ghostAcceptedSettlementReplay = true;
        } catch {}
    }

    // ---------------------------------------------------------------- views for the invariants

    function redemptionCount() external view returns (uint256) {
        return redemptionIds.length;
    }

    function ghostRedemption(uint256 id) external view returns (GhostRedemption memory) {
        return ghostRedemptions[id];
    }

    function classCount() external view returns (uint256) {
        return classes.length;
    }

    function classAt(uint256 i) external view returns (CreditClass memory) {
        return classes[i];
    }

    function batchCount() external view returns (uint256) {
        return batchKeys.length;
    }

    function classIndexOf(bytes32 key) external view returns (uint256) {
        return bridged[key].classIndex;
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    // ---------------------------------------------------------------- helpers

    function _fresh(uint256 classIndex, uint64 quantity, address recipient) internal returns (Attestation memory a) {
        uint64 start = nextUnit;
        nextUnit += quantity;
        a = _attestation(
            classIndex, string.concat("S-", vm.toString(start), "-", vm.toString(start + quantity - 1)), start, quantity
        );
        a.recipient = recipient;
    }

    function _attestation(uint256 classIndex, string memory serial, uint64 start, uint64 quantity)
        internal
        returns (Attestation memory)
    {
        return Attestation({
            registry: classes[classIndex].program,
            serial: serial,
            blockStart: start,
            blockEnd: start + quantity - 1,
            quantity: quantity,
            creditClass: classes[classIndex],
            recipient: actors[0],
            nonce: nextNonce++,
            deadline: block.timestamp + 1 days
        });
    }

    function _remember(bytes32 key, uint256 classIndex, Attestation memory a) internal {
        if (bridged[key].quantity == 0) batchKeys.push(key);
        bridged[key] = Bridged(classIndex, a.serial, a.blockStart, a.quantity);
        ++ghostMints;
    }

    function _sign(Attestation memory a) internal view returns (bytes[] memory sigs) {
        bytes32 digest = bridge.hashAttestation(a);
        uint256 m = bridge.threshold();
        sigs = new bytes[](m);
        for (uint256 i; i < m; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[i], digest);
            sigs[i] = abi.encodePacked(r, s, v);
        }
    }

    function _token(uint256 classIndex) internal view returns (CarbonCreditToken) {
        return CarbonCreditToken(bridge.classToken(bridge.classIdOf(classes[classIndex])));
    }

    function _classId(uint256 classIndex) internal view returns (bytes32) {
        return bridge.classIdOf(classes[classIndex]);
    }

    /// @dev A random plan taking `tonnes` from the active batches of class `classIndex`.
    function _plan(uint256 classIndex, uint64 tonnes, uint256 seed)
        internal
        view
        returns (bytes32[] memory keys, uint64[] memory amounts)
    {
        uint256 count;
        bytes32[] memory active = new bytes32[](batchKeys.length);
        uint64[] memory remaining = new uint64[](batchKeys.length);
        for (uint256 i; i < batchKeys.length; ++i) {
            bytes32 key = batchKeys[i];
            if (bridged[key].classIndex != classIndex) continue;
            IBatchLedger.BridgedBatch memory record = bridge.batch(key);
            if (record.status != IBatchLedger.BatchStatus.Active) continue;
            active[count] = key;
            remaining[count] = record.remaining;
            ++count;
        }
        assembly ("memory-safe") {
            mstore(active, count) // shrink both arrays to the active batches found
            mstore(remaining, count)
        }
        return BatchSplits.split(active, remaining, tonnes, seed);
    }

    /// @dev A redemption id, searched from `seed`: a pending one if `pending`, else one that ended.
    function _pick(uint256 seed, bool pending) internal view returns (bool found, uint256 id) {
        uint256 n = redemptionIds.length;
        for (uint256 i; i < n; ++i) {
            id = redemptionIds[(seed + i) % n];
            if ((ghostRedemptions[id].status == IRedemptionEscrow.RedemptionStatus.Pending) == pending) {
                return (true, id);
            }
        }
        return (false, 0);
    }
}

contract CarbonBridgeInvariantTest is BridgeFixture {
    BridgeHandler internal handler;

    function setUp() public override {
        super.setUp();
        CreditClass[] memory classes = new CreditClass[](3);
        classes[0] = vcs1477();
        classes[1] = gs5000();
        classes[2] = vcs1477();
        classes[2].vintageStart = 20200101; // same project, another vintage: another class
        classes[2].vintageEnd = 20201231;
        handler = new BridgeHandler(bridge, verifierKeys, classes);
        bytes32 settlerRole = bridge.SETTLER_ROLE();
        vm.prank(admin);
        bridge.grantRole(settlerRole, address(handler));
        targetContract(address(handler));
    }

    /// @dev Per class: reserve == sum of active batches' remaining tonnes, and
    /// reserve x 1e18 == supply + retired unsettled (escrowed tokens are part of the supply).
    function invariant_reserveEqualsActiveBatchesAndBacksSupplyPlusUnsettled() public view {
        uint256 classCount = handler.classCount();
        for (uint256 c; c < classCount; ++c) {
            bytes32 classId = bridge.classIdOf(handler.classAt(c));
            address token = bridge.classToken(classId);
            uint256 remaining;
            for (uint256 i; i < handler.batchCount(); ++i) {
                bytes32 key = handler.batchKeys(i);
                if (handler.classIndexOf(key) != c) continue;
                IBatchLedger.BridgedBatch memory record = bridge.batch(key);
                if (record.status == IBatchLedger.BatchStatus.Active) {
                    assertEq(record.token, token, "batch points at its class token");
                    remaining += record.remaining;
                }
            }
            uint256 supply = token == address(0) ? 0 : CarbonCreditToken(token).totalSupply();
            uint256 unsettled = bridge.retiredUnsettled(classId);
            assertEq(bridge.classReserve(classId), remaining, "reserve == active remaining");
            assertEq(bridge.classReserve(classId) * 1e18, supply + unsettled, "reserve x 1e18 == supply + unsettled");
        }
    }

    /// @dev Every token is held by an actor or escrowed by the bridge (nothing is created or lost on the
    /// side), and the bridge holds exactly the escrow.
    function invariant_balancesPlusEscrowSumToSupply() public view {
        uint256 classCount = handler.classCount();
        for (uint256 c; c < classCount; ++c) {
            bytes32 classId = bridge.classIdOf(handler.classAt(c));
            address token = bridge.classToken(classId);
            if (token == address(0)) continue;
            uint256 sum;
            for (uint256 a; a < handler.actorCount(); ++a) {
                sum += CarbonCreditToken(token).balanceOf(handler.actors(a));
            }
            uint256 escrow = bridge.escrowed(classId);
            assertEq(sum + escrow, CarbonCreditToken(token).totalSupply(), "balances + escrow == supply");
            assertEq(CarbonCreditToken(token).balanceOf(address(bridge)), escrow, "the bridge holds the escrow");
        }
    }

    /// @dev The escrow and the unsettled amount of every class are what the handler's operations add up to.
    function invariant_escrowAndUnsettledMatchTheOperations() public view {
        uint256 classCount = handler.classCount();
        for (uint256 c; c < classCount; ++c) {
            bytes32 classId = bridge.classIdOf(handler.classAt(c));
            assertEq(bridge.escrowed(classId), handler.ghostEscrowed(c), "escrow == pending redemptions");
            assertEq(
                bridge.retiredUnsettled(classId),
                handler.ghostRetired(c) - handler.ghostSettled(c),
                "unsettled == retired - settled"
            );
        }
    }

    /// @dev Each redemption ends at most once, and its on-chain record agrees with what happened to it.
    function invariant_redemptionsEndAtMostOnce() public view {
        assertLe(handler.ghostFinalized() + handler.ghostCancelled(), handler.ghostRequested());
        uint256 count = handler.redemptionCount();
        assertEq(count, handler.ghostRequested());
        for (uint256 i; i < count; ++i) {
            uint256 id = handler.redemptionIds(i);
            BridgeHandler.GhostRedemption memory ghost = handler.ghostRedemption(id);
            assertLe(ghost.endings, 1, "ended at most once");
            (address holder, bytes32 classId, uint64 tonnes, IRedemptionEscrow.RedemptionStatus status) =
                bridge.redemption(id);
            assertEq(holder, ghost.holder);
            assertEq(classId, bridge.classIdOf(handler.classAt(ghost.classIndex)));
            assertEq(tonnes, ghost.tonnes);
            assertEq(uint8(status), uint8(ghost.status));
        }
        assertFalse(handler.ghostEndedTwice(), "a redemption ended twice");
        assertFalse(handler.ghostAcceptedSettlementReplay(), "a settlement id was used twice");
    }

    /// @dev Active batches back something; released ones back nothing.
    function invariant_batchStatusMatchesRemaining() public view {
        for (uint256 i; i < handler.batchCount(); ++i) {
            IBatchLedger.BridgedBatch memory record = bridge.batch(handler.batchKeys(i));
            if (record.status == IBatchLedger.BatchStatus.Active) assertGt(record.remaining, 0);
            else assertEq(uint8(record.status), uint8(IBatchLedger.BatchStatus.Released));
            if (record.status == IBatchLedger.BatchStatus.Released) assertEq(record.remaining, 0);
        }
    }

    /// @dev Reports how much the run exercised (shown with -vv).
    function afterInvariant() external view {
        console.log("mints", handler.ghostMints(), "burns", handler.ghostBurns());
        console.log("rebridges", handler.ghostRebridges(), "batches", handler.batchCount());
        console.log("redemptions", handler.ghostRequested(), "finalized", handler.ghostFinalized());
        console.log("cancelled", handler.ghostCancelled(), "retirements", handler.ghostRetirements());
        console.log("settlements", handler.ghostSettlements());
    }

    function invariant_neverAcceptsDuplicatesOrReplays() public view {
        assertFalse(handler.ghostAcceptedDuplicate(), "an active serial was bridged twice");
        assertFalse(handler.ghostAcceptedReplay(), "a nonce was used twice");
    }
}
