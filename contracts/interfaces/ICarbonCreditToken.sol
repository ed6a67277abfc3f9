// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CreditClass} from "./CarbonTypes.sol";

/// @title ICarbonCreditToken
/// @notice The carbon-specific surface of a class token: one ERC-20 (18 decimals, 1e18 = one tonne,
/// EIP-2612 permit) per credit class, whose attributes are fixed at creation. The ERC-20 and permit
/// functions (`transfer`, `approve`, `permit`, `nonces`, `DOMAIN_SEPARATOR`, ...) are the standard ones.
interface ICarbonCreditToken {
    /// @dev `caller` is not the bridge that created this token.
    error CarbonTokenUnauthorized(address caller);

    /// @notice The bridge allowed to mint, burn and move tokens for redemptions.
    function bridge() external view returns (address);

    /// @notice The attributes of this token's credit class, fixed forever.
    function creditClass() external view returns (CreditClass memory);

    /// @notice `keccak256(abi.encode(keccak256(bytes(program)), keccak256(bytes(projectId)), vintageStart, vintageEnd))`.
    function classId() external view returns (bytes32);

    /// @notice The EIP-712 struct hash of {creditClass}.
    function classHash() external view returns (bytes32);

    /// @notice Mints `amount` (wei, 1e18 = one tonne) to `to`.
    /// @dev Requirements: the caller is the bridge. Emits a {Transfer} event from the zero address.
    /// @return supply The total supply after the mint (the bridge checks it against the class reserve).
    function mint(address to, uint256 amount) external returns (uint256 supply);

    /// @notice Burns `amount` from `from`; no allowance is needed.
    /// @dev Requirements: the caller is the bridge; `from` holds at least `amount`.
    /// Emits a {Transfer} event to the zero address.
    function burn(address from, uint256 amount) external;

    /// @notice Moves `amount` from `from` to `to` without an allowance, e.g. into the bridge's escrow for a
    /// redemption that `from` requested from the bridge.
    /// @dev Requirements: the caller is the bridge; `from` holds at least `amount`. Emits a {Transfer} event.
    function bridgeTransfer(address from, address to, uint256 amount) external;
}
