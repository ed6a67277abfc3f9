// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

import {Attestation, BatchStatus, BridgedBatch, CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {CarbonBridgeHarness} from "../harness/CarbonBridgeHarness.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";

/// @notice Drives the bridge at random: mints (real verifier signatures), batch mints, transfers, burns
/// through the harness's `_burnFromBatch`, re-bridging of released serials, and attempts to bridge an
/// active serial again or replay a nonce (which must fail).
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
    uint256 public ghostMints;
    uint256 public ghostBurns;
    uint256 public ghostRebridges;

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
        BridgedBatch memory record = bridge.batch(key);
        if (record.status != BatchStatus.Active) return;
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
        if (bridge.batch(key).status != BatchStatus.Released) return;
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
        if (bridge.batch(key).status != BatchStatus.Active) return;
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

    // ---------------------------------------------------------------- views for the invariants

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
        targetContract(address(handler));
    }

    /// @dev Per class: supply == sum of active batches' remaining tonnes x 1e18 == reserve x 1e18.
    function invariant_supplyEqualsActiveBatchesAndReserve() public view {
        uint256 classCount = handler.classCount();
        for (uint256 c; c < classCount; ++c) {
            bytes32 classId = bridge.classIdOf(handler.classAt(c));
            address token = bridge.classToken(classId);
            uint256 remaining;
            for (uint256 i; i < handler.batchCount(); ++i) {
                bytes32 key = handler.batchKeys(i);
                if (handler.classIndexOf(key) != c) continue;
                BridgedBatch memory record = bridge.batch(key);
                if (record.status == BatchStatus.Active) {
                    assertEq(record.token, token, "batch points at its class token");
                    remaining += record.remaining;
                }
            }
            uint256 supply = token == address(0) ? 0 : CarbonCreditToken(token).totalSupply();
            assertEq(supply, remaining * 1e18, "supply == active remaining x 1e18");
            assertEq(bridge.classReserve(classId), remaining, "reserve == active remaining");
            assertLe(supply, bridge.classReserve(classId) * 1e18, "supply <= reserve");
        }
    }

    /// @dev Every token is held by an actor (nothing is created or lost on the side).
    function invariant_balancesSumToSupply() public view {
        uint256 classCount = handler.classCount();
        for (uint256 c; c < classCount; ++c) {
            address token = bridge.classToken(bridge.classIdOf(handler.classAt(c)));
            if (token == address(0)) continue;
            uint256 sum;
            for (uint256 a; a < handler.actorCount(); ++a) {
                sum += CarbonCreditToken(token).balanceOf(handler.actors(a));
            }
            assertEq(sum, CarbonCreditToken(token).totalSupply());
        }
    }

    /// @dev Active batches back something; released ones back nothing.
    function invariant_batchStatusMatchesRemaining() public view {
        for (uint256 i; i < handler.batchCount(); ++i) {
            BridgedBatch memory record = bridge.batch(handler.batchKeys(i));
            if (record.status == BatchStatus.Active) assertGt(record.remaining, 0);
            else assertEq(uint8(record.status), uint8(BatchStatus.Released));
            if (record.status == BatchStatus.Released) assertEq(record.remaining, 0);
        }
    }

    /// @dev Reports how much the run exercised (shown with -vv).
    function afterInvariant() external view {
        console.log("mints", handler.ghostMints(), "burns", handler.ghostBurns());
        console.log("rebridges", handler.ghostRebridges(), "batches", handler.batchCount());
    }

    function invariant_neverAcceptsDuplicatesOrReplays() public view {
        assertFalse(handler.ghostAcceptedDuplicate(), "an active serial was bridged twice");
        assertFalse(handler.ghostAcceptedReplay(), "a nonce was used twice");
    }
}
