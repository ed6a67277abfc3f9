// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "solady/tokens/ERC20.sol";

import {CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";
import {ICarbonCreditToken} from "../../../contracts/interfaces/ICarbonCreditToken.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";

contract CarbonCreditTokenTest is BridgeFixture {
    bytes32 private constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    address private constant PERMIT2 = 0x000000000022D473030F116dDEE9F6B43aC78BA3;

    CarbonCreditToken internal token;
    uint256 internal ownerKey = 0xA11CE;
    address internal owner;

    function setUp() public override {
        super.setUp();
        owner = vm.addr(ownerKey);
        mintLock(lockOf(vcs1477(), 1, 100, owner));
        token = CarbonCreditToken(bridge.classToken(classIdOf(vcs1477())));
    }

    // ---------------------------------------------------------------- class attributes

    function test_creditClass_returnsTheAttestedAttributes() public view {
        CreditClass memory c = token.creditClass();
        CreditClass memory expected = vcs1477();
        assertEq(c.program, expected.program);
        assertEq(c.projectId, expected.projectId);
        assertEq(c.vintageStart, expected.vintageStart);
        assertEq(c.vintageEnd, expected.vintageEnd);
        assertEq(c.methodology, expected.methodology);
        assertEq(c.hostCountry, expected.hostCountry);
        assertEq(c.labels, expected.labels);
        assertEq(c.adjustment, expected.adjustment);
        assertEq(token.classId(), classIdOf(expected));
        assertEq(token.classHash(), classHashOf(expected));
    }

    function test_metadata_isDerivedFromTheClass() public view {
        assertEq(token.name(), "VCS 1477 2019-01-01..2019-12-31");
        assertEq(token.symbol(), "VCS-1477-2019");
        assertEq(token.decimals(), 18);
        assertEq(token.bridge(), address(bridge));
    }

    function test_emptyMethodology_roundTrips() public {
        CreditClass memory c = gs5000();
        c.methodology = "";
        mintLock(lockOf(c, 1, 1, alice));
        CarbonCreditToken other = CarbonCreditToken(bridge.classToken(classIdOf(c)));
        assertEq(other.creditClass().methodology, "");
        assertEq(other.creditClass().hostCountry, "IN");
        assertEq(other.name(), "GS GS5000 2021-01-01..2021-12-31");
        assertEq(other.classHash(), classHashOf(c));
    }

    function test_implementation_sharesTheBridge() public view {
        CarbonCreditToken impl = CarbonCreditToken(bridge.tokenImplementation());
        assertEq(impl.bridge(), address(bridge));
        assertEq(token.bridge(), impl.bridge());
    }

    // ---------------------------------------------------------------- bridge-only operations

    function test_mintBurnBridgeTransfer_areBridgeOnly() public {
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICarbonCreditToken.CarbonTokenUnauthorized.selector, alice));
        token.mint(alice, 1);
        vm.expectRevert(abi.encodeWithSelector(ICarbonCreditToken.CarbonTokenUnauthorized.selector, alice));
        token.burn(owner, 1);
        vm.expectRevert(abi.encodeWithSelector(ICarbonCreditToken.CarbonTokenUnauthorized.selector, alice));
        token.bridgeTransfer(owner, alice, 1);
        vm.stopPrank();
        vm.prank(admin); // even the bridge admin is not the bridge
        vm.expectRevert(abi.encodeWithSelector(ICarbonCreditToken.CarbonTokenUnauthorized.selector, admin));
        token.mint(admin, 1);
    }

    function test_bridge_burnsWithoutAllowance() public {
        vm.prank(address(bridge));
        token.burn(owner, 40 * TONNE);
        assertEq(token.balanceOf(owner), 60 * TONNE);
        assertEq(token.totalSupply(), 60 * TONNE);
    }

    function test_bridge_movesTokensWithoutAllowance() public {
        vm.prank(address(bridge));
        token.bridgeTransfer(owner, address(bridge), 25 * TONNE);
        assertEq(token.balanceOf(address(bridge)), 25 * TONNE);
        assertEq(token.balanceOf(owner), 75 * TONNE);
        assertEq(token.totalSupply(), 100 * TONNE);
    }

    function test_bridge_cannotBurnOrMoveMoreThanTheBalance() public {
        vm.startPrank(address(bridge));
        vm.expectRevert(ERC20.InsufficientBalance.selector);
        token.burn(owner, 101 * TONNE);
        vm.expectRevert(ERC20.InsufficientBalance.selector);
        token.bridgeTransfer(owner, alice, 101 * TONNE);
        vm.stopPrank();
    }

    // ---------------------------------------------------------------- ERC-20 and permit

    function test_transfer_movesBalances() public {
        vm.prank(owner);
        assertTrue(token.transfer(alice, 1.5e18));
        assertEq(token.balanceOf(alice), 1.5e18);
        assertEq(token.balanceOf(owner), 98.5e18);
    }

    function test_permit2_hasNoImplicitAllowance() public view {
        assertEq(token.allowance(owner, PERMIT2), 0);
    }

    function test_permit_setsAllowanceFromSignature() public {
        uint256 deadline = block.timestamp + 1 days;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(token, ownerKey, owner, bob, 7 * TONNE, 0, deadline);
        token.permit(owner, bob, 7 * TONNE, deadline, v, r, s);
        assertEq(token.allowance(owner, bob), 7 * TONNE);
        assertEq(token.nonces(owner), 1);
        vm.prank(bob);
        assertTrue(token.transferFrom(owner, bob, 7 * TONNE));
        assertEq(token.balanceOf(bob), 7 * TONNE);

        vm.expectRevert(ERC20.InvalidPermit.selector); // replay: nonce moved on
        token.permit(owner, bob, 7 * TONNE, deadline, v, r, s);
    }

    function test_permit_rejectsExpiredAndForeignSignatures() public {
        uint256 deadline = block.timestamp + 1 days;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(token, 0xB0B, owner, bob, 1, 0, deadline);
        vm.expectRevert(ERC20.InvalidPermit.selector);
        token.permit(owner, bob, 1, deadline, v, r, s);

        (v, r, s) = _signPermit(token, ownerKey, owner, bob, 1, 0, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(ERC20.PermitExpired.selector);
        token.permit(owner, bob, 1, deadline, v, r, s);
    }

    function test_permit_domainDiffersPerClass() public {
        mintLock(lockOf(gs5000(), 1, 100, owner));
        CarbonCreditToken other = CarbonCreditToken(bridge.classToken(classIdOf(gs5000())));
        assertTrue(token.DOMAIN_SEPARATOR() != other.DOMAIN_SEPARATOR());
        bytes32 expected = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256(bytes(token.name())),
                keccak256("1"),
                block.chainid,
                address(token)
            )
        );
        assertEq(token.DOMAIN_SEPARATOR(), expected);

        // A permit signed for one class token is worthless on another.
        uint256 deadline = block.timestamp + 1 days;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(token, ownerKey, owner, bob, 1, 0, deadline);
        vm.expectRevert(ERC20.InvalidPermit.selector);
        other.permit(owner, bob, 1, deadline, v, r, s);
    }

    function _signPermit(
        CarbonCreditToken target,
        uint256 key,
        address holder,
        address spender,
        uint256 value,
        uint256 nonce,
        uint256 deadline
    ) private view returns (uint8, bytes32, bytes32) {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, holder, spender, value, nonce, deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", target.DOMAIN_SEPARATOR(), structHash));
        return vm.sign(key, digest);
    }
}
