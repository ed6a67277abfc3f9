// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";
import {console} from "forge-std/console.sol";

import {CreditClass, Lock} from "../../../contracts/interfaces/CarbonTypes.sol";
import {IBatchLedger} from "../../../contracts/interfaces/IBatchLedger.sol";
import {IRedemptionEscrow} from "../../../contracts/interfaces/IRedemptionEscrow.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {CarbonBridgeHarness} from "../harness/CarbonBridgeHarness.sol";
import {BatchSplits} from "../utils/BatchSplits.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";
import {Retirements} from "../utils/Retirements.sol";

/// @notice Drives the bridge at random: signed batches of locks minted whole or in parts (real verifier
/// signatures, real multiproofs), transfers, burns through the harness's `_burnFromBatch`, re-bridging of
/// released serials under new locks, and attempts to bridge an active serial again or to replay a used lock
/// (which must fail); redemptions requested, finalized over random batch splits, cancelled, and ended again
/// (which must fail); retirements of random fractions, and their settlement in whole registry units over
/// random batch splits, and replays of settlement ids (which must fail). One class counts kilograms.
/// @dev Reuses the fixture's lock and signing helpers on the bridge it is given; its `setUp` does nothing
/// (the invariant test targets the action selectors only). It holds SETTLER_ROLE.
contract BridgeHandler is BridgeFixture {
    struct Bridged {
        uint256 classIndex;
        string serial;
        uint64 blockStart;
        uint64 units;
    }

    CreditClass[] internal classes;
    address[] public actors;

    bytes32[] public batchKeys;
    mapping(bytes32 batchKey => Bridged) internal bridged;
    uint64 internal nextUnit = 1;
    /// @dev Lock ids already minted (to replay) and the last signed batch's leaves not minted yet.
    uint256[] internal usedLockIds;
    /// @dev `abi.encode(SignedLocks)`: a struct of struct arrays cannot be copied to storage as it is.
    bytes internal pendingBatch;
    uint256[] internal pendingPositions;

    /// @dev Set if the bridge ever accepted what it must refuse.
    bool public ghostAcceptedDuplicate;
    bool public ghostAcceptedReplay;
    bool public ghostEndedTwice;
    bool public ghostAcceptedSettlementReplay;
    uint256 public ghostMints;
    uint256 public ghostPartMints;
    uint256 public ghostBurns;
    uint256 public ghostRebridges;

    /// @dev What the handler knows of each redemption it requested.
    struct GhostRedemption {
        address holder;
        uint256 classIndex;
        uint64 units;
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
        verifierKeys = sortedKeys;
        nextLockId = 1_000_000;
        for (uint256 i; i < classes_.length; ++i) {
            classes.push(classes_[i]);
        }
        actors.push(makeAddr("actor0"));
        actors.push(makeAddr("actor1"));
        actors.push(makeAddr("actor2"));
        actors.push(makeAddr("actor3"));
    }

    /// @dev The handler runs on the bridge it was given.
    function setUp() public pure override {}

    // ---------------------------------------------------------------- actions

    /// @dev Signs a batch of 1..6 fresh locks and mints all of it, or a random part (the rest waits for
    /// {mintRest}, under the same signatures).
    function mintBatch(uint256 seed, uint256 countSeed, uint256 partMask) external {
        uint256 count = bound(countSeed, 1, 6);
        Lock[] memory locks = new Lock[](count);
        for (uint256 i; i < count; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            // Mostly small blocks (so that burns release them), sometimes huge ones.
            uint64 units = uint64(r % 4 == 0 ? bound(r >> 8, 1, 1e15) : bound(r >> 8, 1, 100));
            locks[i] = _freshLock(r % classes.length, units, actors[(r >> 128) % actors.length]);
        }
        SignedLocks memory s = signLocks(locks);
        uint256[] memory now_ = new uint256[](count);
        uint256[] memory later = new uint256[](count);
        (uint256 n, uint256 m) = (0, 0);
        for (uint256 p; p < count; ++p) {
            if (partMask % 4 == 0 && (partMask >> (p + 2)) & 1 == 1) later[m++] = p;
            else now_[n++] = p;
        }
        _shrink(now_, n);
        _shrink(later, m);
        if (n > 0) _mintPositions(s, now_);
        pendingBatch = abi.encode(s);
        pendingPositions = later;
    }

    /// @dev Mints what the last signed batch left, under its original signatures.
    function mintRest() external {
        if (pendingPositions.length == 0) return;
        SignedLocks memory s = abi.decode(pendingBatch, (SignedLocks));
        uint256[] memory positions = pendingPositions;
        delete pendingPositions;
        _mintPositions(s, positions);
        ++ghostPartMints;
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

    /// @dev Burns whole units of a random active batch from the holder of its class with most tokens.
    function burn(uint256 batchSeed, uint256 unitsSeed) external {
        if (batchKeys.length == 0) return;
        bytes32 key = batchKeys[batchSeed % batchKeys.length];
        IBatchLedger.BridgedBatch memory record = bridge.batch(key);
        if (record.status != IBatchLedger.BatchStatus.Active) return;
        CarbonCreditToken token = CarbonCreditToken(record.token);
        address holder = actors[0];
        for (uint256 i = 1; i < actors.length; ++i) {
            if (token.balanceOf(actors[i]) > token.balanceOf(holder)) holder = actors[i];
        }
        uint256 maxUnits = token.balanceOf(holder) / _unitWei(bridged[key].classIndex);
        if (maxUnits > record.remaining) maxUnits = record.remaining;
        if (maxUnits == 0) return;
        // Every other burn takes all it can, so that batches do get released.
        uint64 units = SafeCast.toUint64(unitsSeed % 2 == 0 ? maxUnits : bound(unitsSeed, 1, maxUnits));
        bridge.exposed_burnFromBatch(key, holder, units);
        ++ghostBurns;
    }

    /// @dev Bridges a released serial again under a new lock (allowed).
    function rebridge(uint256 batchSeed, uint256 actorSeed) external {
        if (batchKeys.length == 0) return;
        bytes32 key = batchKeys[batchSeed % batchKeys.length];
        if (bridge.batch(key).status != IBatchLedger.BatchStatus.Released) return;
        Lock memory lock = _lockAgain(key, actors[actorSeed % actors.length]);
        assertEq(mintLock(lock), key);
        usedLockIds.push(lock.lockId);
        ++ghostRebridges;
    }

    /// @dev Tries to bridge an active serial again under a new lock: must be refused.
    function duplicate(uint256 batchSeed) external {
        if (batchKeys.length == 0) return;
        bytes32 key = batchKeys[batchSeed % batchKeys.length];
        if (bridge.batch(key).status != IBatchLedger.BatchStatus.Active) return;
        SignedLocks memory s = signLocks(one(_lockAgain(key, actors[0])));
        (bytes32[] memory proof, bool[] memory flags) = (new bytes32[](0), new bool[](0));
        try bridge.mintLocks(s.classes, s.leaves, proof, flags, s.batch, s.signatures) {
            ghostAcceptedDuplicate = true;
        } catch {}
    }

    /// @dev Tries to mint a brand-new serial block under a lock id already bridged (in a new signed batch):
    /// must be refused, whatever became of the first block.
    function replayLock(uint256 lockSeed, uint256 classSeed) external {
        if (usedLockIds.length == 0) return;
        uint256 classIndex = classSeed % classes.length;
        Lock memory lock = _freshLock(classIndex, 1, actors[0]);
        lock.lockId = usedLockIds[lockSeed % usedLockIds.length];
        if (!bridge.isLockUsed(lock.registry, lock.lockId)) return; // bridged in another registry
        SignedLocks memory s = signLocks(one(lock));
        (bytes32[] memory proof, bool[] memory flags) = (new bytes32[](0), new bool[](0));
        try bridge.mintLocks(s.classes, s.leaves, proof, flags, s.batch, s.signatures) {
            ghostAcceptedReplay = true;
        } catch {}
    }

    /// @dev An actor asks for whole registry units of a class it holds.
    function requestRedemption(uint256 actorSeed, uint256 classSeed, uint256 unitsSeed) external {
        uint256 classIndex = classSeed % classes.length;
        CarbonCreditToken token = _token(classIndex);
        if (address(token) == address(0)) return;
        address holder = actors[actorSeed % actors.length];
        uint256 maxUnits = token.balanceOf(holder) / _unitWei(classIndex);
        if (maxUnits == 0) return;
        uint64 units = SafeCast.toUint64(bound(unitsSeed, 1, maxUnits));
        bytes32 classId = _classId(classIndex); // before the prank, which the next call consumes
        uint256 amount = uint256(units) * _unitWei(classIndex);
        vm.prank(holder);
        uint256 id = bridge.requestRedemption(classId, amount, "ACCT-1");
        redemptionIds.push(id);
        ghostRedemptions[id] = GhostRedemption(holder, classIndex, units, IRedemptionEscrow.RedemptionStatus.Pending, 0);
        ghostEscrowed[classIndex] += amount;
        ++ghostRequested;
    }

    /// @dev Finalizes a pending redemption over a random split of its class's active batches.
    function finalizeRedemption(uint256 idSeed, uint256 splitSeed) external {
        (bool found, uint256 id) = _pick(idSeed, true);
        if (!found) return;
        GhostRedemption storage r = ghostRedemptions[id];
        (bytes32[] memory keys, uint64[] memory units) = _plan(r.classIndex, r.units, splitSeed);
        bridge.finalizeRedemption(id, keys, units, "released");
        r.status = IRedemptionEscrow.RedemptionStatus.Finalized;
        ++r.endings;
        ghostEscrowed[r.classIndex] -= uint256(r.units) * _unitWei(r.classIndex);
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
        ghostEscrowed[r.classIndex] -= uint256(r.units) * _unitWei(r.classIndex);
        ++ghostCancelled;
    }

    /// @dev Tries to finalize or cancel a redemption that already ended: must be refused.
    function endAgain(uint256 idSeed, bool finalize, uint256 splitSeed) external {
        (bool found, uint256 id) = _pick(idSeed, false);
        if (!found) return;
        GhostRedemption storage r = ghostRedemptions[id];
        if (finalize) {
            uint64 available = SafeCast.toUint64(bridge.classReserve(_classId(r.classIndex)));
            if (available < r.units) return;
            (bytes32[] memory keys, uint64[] memory units) = _plan(r.classIndex, r.units, splitSeed);
            try bridge.finalizeRedemption(id, keys, units, "again") {
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

    /// @dev Settles some of a class's unsettled whole units over a random split of its active batches.
    function settleRetirements(uint256 classSeed, uint256 unitsSeed, uint256 splitSeed) external {
        uint256 classIndex = classSeed % classes.length;
        if (address(_token(classIndex)) == address(0)) return;
        bytes32 classId = _classId(classIndex);
        uint256 whole = bridge.retiredUnsettled(classId) / _unitWei(classIndex);
        if (whole == 0) return;
        // Every other settlement takes all whole units.
        uint64 units = SafeCast.toUint64(unitsSeed % 2 == 0 ? whole : bound(unitsSeed, 1, whole));
        (bytes32[] memory keys, uint64[] memory amounts) = _plan(classIndex, units, splitSeed);
        bytes32 settlementId = keccak256(abi.encode("settlement", ghostSettlements));
        bridge.settleRetirements(settlementId, classId, keys, amounts, "VCS-RET");
        lastSettlementId = settlementId;
        ghostSettled[classIndex] += uint256(units) * _unitWei(classIndex);
        ++ghostSettlements;
    }

    /// @dev Replays the last settlement id (with a valid plan otherwise): must be refused.
    function replaySettlement(uint256 classSeed, uint256 splitSeed) external {
        if (ghostSettlements == 0) return;
        uint256 classIndex = classSeed % classes.length;
        bytes32 classId = _classId(classIndex);
        if (bridge.retiredUnsettled(classId) < _unitWei(classIndex)) return;
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

    function _freshLock(uint256 classIndex, uint64 units, address recipient) internal returns (Lock memory lock) {
        uint64 start = nextUnit;
        nextUnit += units;
        lock = lockOf(classes[classIndex], start, units, recipient);
        lock.serial = string.concat("S-", vm.toString(start), "-", vm.toString(start + units - 1));
    }

    /// @dev A new lock of the serial block of batch `key`.
    function _lockAgain(bytes32 key, address recipient) internal returns (Lock memory lock) {
        Bridged storage b = bridged[key];
        lock = lockOf(classes[b.classIndex], b.blockStart, b.units, recipient);
        lock.serial = b.serial;
    }

    function _mintPositions(SignedLocks memory s, uint256[] memory positions) internal {
        mintPart(s, positions);
        for (uint256 i; i < positions.length; ++i) {
            uint256 p = positions[i];
            bytes32 key = batchKeyOf(s.leaves[p].registry, s.leaves[p].serial);
            if (bridged[key].units == 0) batchKeys.push(key);
            uint256 classIndex = _classIndexOf(s.classes[s.leaves[p].classIndex]);
            bridged[key] = Bridged(
                classIndex,
                s.leaves[p].serial,
                s.leaves[p].blockStart,
                s.leaves[p].blockEnd - s.leaves[p].blockStart + 1
            );
            usedLockIds.push(s.leaves[p].lockId);
            ++ghostMints;
        }
    }

    function _classIndexOf(CreditClass memory c) internal view returns (uint256) {
        bytes32 wanted = classHashOf(c);
        for (uint256 i; i < classes.length; ++i) {
            if (classHashOf(classes[i]) == wanted) return i;
        }
        revert("handler: unknown class");
    }

    function _shrink(uint256[] memory list, uint256 length) internal pure {
        assembly ("memory-safe") {
            mstore(list, length) // keep the first `length` entries
        }
    }

    function _unitWei(uint256 classIndex) internal view returns (uint256) {
        return unitWei(classes[classIndex]);
    }

    function _token(uint256 classIndex) internal view returns (CarbonCreditToken) {
        return CarbonCreditToken(bridge.classToken(classIdOf(classes[classIndex])));
    }

    function _classId(uint256 classIndex) internal view returns (bytes32) {
        return classIdOf(classes[classIndex]);
    }

    /// @dev A random plan taking `units` from the active batches of class `classIndex`.
    function _plan(uint256 classIndex, uint64 units, uint256 seed)
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
        return BatchSplits.split(active, remaining, units, seed);
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
        CreditClass[] memory classes = new CreditClass[](4);
        classes[0] = vcs1477();
        classes[1] = gs5000();
        classes[2] = vcs1477();
        classes[2].vintageStart = 20200101; // same project, another vintage: another class
        classes[2].vintageEnd = 20201231;
        classes[3] = isoKg();
        handler = new BridgeHandler(bridge, verifierKeys, classes);
        bytes32 settlerRole = bridge.SETTLER_ROLE();
        vm.prank(admin);
        bridge.grantRole(settlerRole, address(handler));

        bytes4[] memory selectors = new bytes4[](14);
        selectors[0] = BridgeHandler.mintBatch.selector;
        selectors[1] = BridgeHandler.mintRest.selector;
        selectors[2] = BridgeHandler.transfer.selector;
        selectors[3] = BridgeHandler.burn.selector;
        selectors[4] = BridgeHandler.rebridge.selector;
        selectors[5] = BridgeHandler.duplicate.selector;
        selectors[6] = BridgeHandler.replayLock.selector;
        selectors[7] = BridgeHandler.requestRedemption.selector;
        selectors[8] = BridgeHandler.finalizeRedemption.selector;
        selectors[9] = BridgeHandler.cancelRedemption.selector;
        selectors[10] = BridgeHandler.endAgain.selector;
        selectors[11] = BridgeHandler.retire.selector;
        selectors[12] = BridgeHandler.settleRetirements.selector;
        selectors[13] = BridgeHandler.replaySettlement.selector;
        targetSelector(StdInvariant.FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @dev Per class: reserve == sum of active batches' remaining units, and
    /// reserve x weiPerUnit == supply + retired unsettled (escrowed tokens are part of the supply).
    function invariant_reserveEqualsActiveBatchesAndBacksSupplyPlusUnsettled() public view {
        uint256 classCount = handler.classCount();
        for (uint256 c; c < classCount; ++c) {
            CreditClass memory creditClass = handler.classAt(c);
            bytes32 classId = classIdOf(creditClass);
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
            assertEq(
                bridge.classReserve(classId) * unitWei(creditClass),
                supply + unsettled,
                "reserve x weiPerUnit == supply + unsettled"
            );
        }
    }

    /// @dev Every token is held by an actor or escrowed by the bridge (nothing is created or lost on the
    /// side), and the bridge holds exactly the escrow.
    function invariant_balancesPlusEscrowSumToSupply() public view {
        uint256 classCount = handler.classCount();
        for (uint256 c; c < classCount; ++c) {
            bytes32 classId = classIdOf(handler.classAt(c));
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
            bytes32 classId = classIdOf(handler.classAt(c));
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
            (address holder, bytes32 classId, uint64 units, IRedemptionEscrow.RedemptionStatus status) =
                bridge.redemption(id);
            assertEq(holder, ghost.holder);
            assertEq(classId, classIdOf(handler.classAt(ghost.classIndex)));
            assertEq(units, ghost.units);
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

    function invariant_neverAcceptsDuplicatesOrReplays() public view {
        assertFalse(handler.ghostAcceptedDuplicate(), "an active serial was bridged twice");
        assertFalse(handler.ghostAcceptedReplay(), "a used lock id was bridged again");
    }

    /// @dev Reports how much the run exercised (shown with -vv).
    function afterInvariant() external view {
        console.log("mints", handler.ghostMints(), "part mints", handler.ghostPartMints());
        console.log("burns", handler.ghostBurns(), "rebridges", handler.ghostRebridges());
        console.log("batches", handler.batchCount(), "redemptions", handler.ghostRequested());
        console.log("finalized", handler.ghostFinalized(), "cancelled", handler.ghostCancelled());
        console.log("retirements", handler.ghostRetirements(), "settlements", handler.ghostSettlements());
    }
}
