// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {console} from "forge-std/console.sol";

import {CarbonBridge} from "../../../contracts/bridge/CarbonBridge.sol";
import {Lock, LockLeaf} from "../../../contracts/interfaces/CarbonTypes.sol";
import {BaselineERC20} from "../../../contracts/test/BaselineERC20.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";
import {Retirements} from "../utils/Retirements.sol";
import {RetirementDetails} from "../../../contracts/interfaces/IRetirementLedger.sol";

/// @notice Gas of the target operations as a transaction receipt reports it (Cancun, intrinsic cost
/// included). The suite runs isolated (inline config below): every top-level call is its own transaction,
/// with cold accounts and slots, and `vm.lastCallGas().gasTotalUsed` is then the receipt's gasUsed
/// (checked against anvil receipts: identical). None of these operations earns a refund.
/// forge-config: default.isolate = true
contract GasTest is BridgeFixture {
    uint256 internal constant NEW_CLASS_TARGET = 300_000;
    uint256 internal constant EXISTING_CLASS_TARGET = 150_000;
    uint256 internal constant TRANSFER_TARGET = 37_000;
    uint256 internal constant REDEEM_REQUEST_TARGET = 120_000;
    uint256 internal constant RETIRE_TARGET = 150_000;
    uint256 internal constant BATCH_PER_BLOCK_TARGET = 50_000;

    /// @dev A typical registry account reference and retirement texts (~30 and ~40 characters).
    string internal constant ACCOUNT = "VCS-ACCT-88213-Acme-Offsets-Ltd";
    string internal constant BENEFICIARY = "Acme Offsets Ltd, Jakarta office";
    string internal constant REASON = "Scope 1 emissions offset for FY2024 claim";

    function test_gas_mintIntoNewClass() public {
        SignedLocks memory s = signLocks(one(lockOf(vcs1477(), 1001, 250, alice)));
        uint256 gasUsed = _receiptGas(address(bridge), _mintCall(s));
        console.log("mintLocks, one lock into a new class (2 signatures, creates the token):", gasUsed);
        assertLe(gasUsed, NEW_CLASS_TARGET);
    }

    function test_gas_mintIntoExistingClass() public {
        bridgeUnits(vcs1477(), 1, 1000, bob);
        SignedLocks memory s = signLocks(one(lockOf(vcs1477(), 1001, 250, alice)));
        uint256 gasUsed = _receiptGas(address(bridge), _mintCall(s));
        console.log("mintLocks, one lock into an existing class (2 signatures, new recipient):", gasUsed);
        assertLe(gasUsed, EXISTING_CLASS_TARGET);
    }

    function test_gas_mintIntoExistingClass_existingHolder() public {
        bridgeUnits(vcs1477(), 1, 1000, alice);
        SignedLocks memory s = signLocks(one(lockOf(vcs1477(), 1001, 250, alice)));
        uint256 gasUsed = _receiptGas(address(bridge), _mintCall(s));
        console.log("mintLocks, one lock into an existing class (2 signatures, existing holder):", gasUsed);
        assertLe(gasUsed, EXISTING_CLASS_TARGET);
    }

    /// @dev 50 locks of one existing class to one (new) holder in one call: one set of signatures, one mint.
    function test_gas_mintBatchOf50_perBlock() public {
        bridgeUnits(vcs1477(), 1, 1000, bob);
        Lock[] memory locks = new Lock[](50);
        for (uint256 i; i < 50; ++i) {
            // forge-lint: disable-next-line(unsafe-typecast)
            locks[i] = lockOf(vcs1477(), uint64(2001 + 100 * i), 100, alice);
        }
        uint256 gasUsed = _receiptGas(address(bridge), _mintCall(signLocks(locks)));
        console.log("mintLocks, 50 locks of an existing class to one holder, per block:", gasUsed / 50);
        assertLe(gasUsed / 50, BATCH_PER_BLOCK_TARGET);
    }

    /// @dev 50 locks of one existing class, each to a new holder: 50 mints. Reported, no target.
    function test_gas_mintBatchOf50_newHolders_perBlock() public {
        bridgeUnits(vcs1477(), 1, 1000, bob);
        Lock[] memory locks = new Lock[](50);
        for (uint256 i; i < 50; ++i) {
            // forge-lint: disable-next-line(unsafe-typecast)
            locks[i] = lockOf(vcs1477(), uint64(2001 + 100 * i), 100, address(uint160(0x10000 + i)));
        }
        uint256 gasUsed = _receiptGas(address(bridge), _mintCall(signLocks(locks)));
        console.log("mintLocks, 50 locks of an existing class to 50 new holders, per block:", gasUsed / 50);
    }

    function test_gas_classTokenTransferToExistingHolder() public {
        bridgeUnits(vcs1477(), 1, 1000, alice);
        CarbonCreditToken token = CarbonCreditToken(bridge.classToken(classIdOf(vcs1477())));
        vm.prank(alice);
        assertTrue(token.transfer(bob, 1e18));
        uint256 gasUsed = _receiptGasFrom(alice, address(token), abi.encodeCall(token.transfer, (bob, 2e18)));
        console.log("class token transfer to an existing holder:", gasUsed);
        assertLe(gasUsed, TRANSFER_TARGET);
    }

    function test_gas_baselineTransferToExistingHolder() public {
        BaselineERC20 baseline = new BaselineERC20();
        baseline.mint(alice, 1000e18);
        vm.prank(alice);
        assertTrue(baseline.transfer(bob, 1e18));
        uint256 gasUsed = _receiptGasFrom(alice, address(baseline), abi.encodeCall(baseline.transfer, (bob, 2e18)));
        console.log("plain OpenZeppelin ERC-20 transfer to an existing holder:", gasUsed);
    }

    // ---------------------------------------------------------------- redemption

    /// @dev The first redemption of a fresh deployment: the worst case (escrow slots and the bridge's token
    /// balance go from zero to non-zero).
    function test_gas_redeem_request() public {
        bytes32 classId = _bridgeVcs(1000, alice);
        uint256 gasUsed = _receiptGasFrom(
            alice, address(bridge), abi.encodeCall(bridge.requestRedemption, (classId, 25e18, ACCOUNT))
        );
        console.log("redeem_request (first redemption, empty escrow):", gasUsed);
        assertLe(gasUsed, REDEEM_REQUEST_TARGET);
    }

    /// @dev A redemption while another of the class is pending (escrow already non-empty).
    function test_gas_redeem_request_escrowNotEmpty() public {
        bytes32 classId = _bridgeVcs(1000, alice);
        vm.prank(alice);
        bridge.requestRedemption(classId, 5e18, ACCOUNT);
        uint256 gasUsed = _receiptGasFrom(
            alice, address(bridge), abi.encodeCall(bridge.requestRedemption, (classId, 25e18, ACCOUNT))
        );
        console.log("redeem_request (escrow not empty):", gasUsed);
        assertLe(gasUsed, REDEEM_REQUEST_TARGET);
    }

    /// @dev Finalizing a redemption against one batch (the batch stays active).
    function test_gas_redeem_finalize() public {
        bytes32 classId = _bridgeVcs(1000, alice);
        bytes32 key = batchKeyOf("VCS", serialOf("VCS1477", 1, 1000));
        vm.prank(alice);
        uint256 id = bridge.requestRedemption(classId, 25e18, ACCOUNT);
        (bytes32[] memory keys, uint64[] memory tonnes) = _one(key, 25);
        uint256 gasUsed = _receiptGasFrom(
            engine,
            address(bridge),
            abi.encodeCall(bridge.finalizeRedemption, (id, keys, tonnes, "7201-40000001-40000025-VCS-VCU"))
        );
        console.log("redeem_finalize (one batch):", gasUsed);
    }

    // ---------------------------------------------------------------- retirement

    /// @dev The first retirement of the class (retired-unsettled goes from zero to non-zero): the worst case.
    function test_gas_retire_with_certificate() public {
        bytes32 classId = _bridgeVcs(1000, alice);
        uint256 gasUsed = _receiptGasFrom(
            alice,
            address(bridge),
            abi.encodeCall(bridge.retire, (classId, 10e18, Retirements.complete(BENEFICIARY, REASON)))
        );
        console.log("retire_with_certificate (first of the class):", gasUsed);
        assertLe(gasUsed, RETIRE_TARGET);
    }

    /// @dev A retirement of 0.25 t after earlier ones (retired-unsettled already non-zero): the typical case.
    function test_gas_retire_fraction() public {
        bytes32 classId = _bridgeVcs(1000, alice);
        vm.prank(alice);
        bridge.retire(classId, 1.5e18, Retirements.simple(BENEFICIARY, REASON));
        uint256 gasUsed = _receiptGasFrom(
            alice,
            address(bridge),
            abi.encodeCall(bridge.retire, (classId, 0.25e18, Retirements.simple(BENEFICIARY, REASON)))
        );
        console.log("retire_fraction (0.25 t, unsettled already non-zero):", gasUsed);
        assertLe(gasUsed, RETIRE_TARGET);
    }

    /// @dev One call for three beneficiaries (complete details each): three certificates, one burn.
    function test_gas_retire_many_three_beneficiaries() public {
        bytes32 classId = _bridgeVcs(1000, alice);
        uint256[] memory amounts = new uint256[](3);
        (amounts[0], amounts[1], amounts[2]) = (1e18, 2e18, 0.5e18);
        RetirementDetails[] memory details = new RetirementDetails[](3);
        for (uint256 i; i < 3; ++i) {
            details[i] = Retirements.complete(BENEFICIARY, REASON);
        }
        uint256 gasUsed =
            _receiptGasFrom(alice, address(bridge), abi.encodeCall(bridge.retireMany, (classId, amounts, details)));
        console.log("retire_many (3 beneficiaries, first of the class):", gasUsed);
    }

    /// @dev Settling whole tonnes against one batch (the batch stays active).
    function test_gas_retire_settle() public {
        bytes32 classId = _bridgeVcs(1000, alice);
        bytes32 key = batchKeyOf("VCS", serialOf("VCS1477", 1, 1000));
        vm.prank(alice);
        bridge.retire(classId, 10.5e18, Retirements.simple(BENEFICIARY, REASON));
        (bytes32[] memory keys, uint64[] memory tonnes) = _one(key, 10);
        uint256 gasUsed = _receiptGasFrom(
            engine,
            address(bridge),
            abi.encodeCall(
                bridge.settleRetirements, (keccak256("settlement-1"), classId, keys, tonnes, "VCS-RET-2024-000123")
            )
        );
        console.log("retire_settle (one batch):", gasUsed);
    }

    /// @dev Bridges units 1..`quantity` of VCS 1477 to `holder` and returns the class id.
    function _bridgeVcs(uint64 quantity, address holder) internal returns (bytes32) {
        bridgeUnits(vcs1477(), 1, quantity, holder);
        return classIdOf(vcs1477());
    }

    /// @dev The calldata of minting every lock of `s`.
    function _mintCall(SignedLocks memory s) internal pure returns (bytes memory) {
        (LockLeaf[] memory leaves, bytes32[] memory proof, bool[] memory flags) = part(s, allPositions(s.leaves.length));
        return abi.encodeCall(CarbonBridge.mintLocks, (s.classes, leaves, proof, flags, s.batch, s.signatures));
    }

    function _one(bytes32 key, uint64 tonnes) internal pure returns (bytes32[] memory keys, uint64[] memory amounts) {
        keys = new bytes32[](1);
        keys[0] = key;
        amounts = new uint64[](1);
        amounts[0] = tonnes;
    }

    /// @dev Calls `target` with `data` as its own transaction and returns the receipt gas.
    function _receiptGas(address target, bytes memory data) internal returns (uint256) {
        return _receiptGasFrom(address(this), target, data);
    }

    /// @dev As {_receiptGas}, with `from` as the caller.
    function _receiptGasFrom(address from, address target, bytes memory data) internal returns (uint256 gasUsed) {
        vm.prank(from);
        (bool ok, bytes memory ret) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret)) // bubble the revert reason up unchanged
            }
        }
        gasUsed = vm.lastCallGas().gasTotalUsed;
        // Under isolation the intrinsic cost is part of the call's gas; without it the number is meaningless.
        assertGe(gasUsed, 21_000 + _calldataGas(data), "gas tests need isolation (forge-config isolate)");
    }

    function _calldataGas(bytes memory data) private pure returns (uint256 cost) {
        for (uint256 i; i < data.length; ++i) {
            cost += data[i] == 0 ? 4 : 16;
        }
    }
}
