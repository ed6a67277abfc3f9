// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IMintRateLimit
/// @notice A cap on how much of each class the bridge mints per period: defence in depth, so that even a
/// quorum of compromised verifiers mints at most one period's cap of a class before the admin or the engine
/// reacts (pause, verifier change).
/// @dev Fixed windows per class: a class's window opens with its first mint after the previous window ended,
/// lasts `periodSeconds`, and allows `tonnesPerPeriod` tonnes (across two adjacent windows a class can thus
/// mint up to twice the cap in a short time). A window keeps the cap it opened with: a new cap applies to
/// each class from its next window (the admin's changes wait out the timelock anyway; to stop minting at
/// once, the engine pauses).
interface IMintRateLimit {
    /// @dev Minting `requested` more of class `classId` exceeds what its current window still allows,
    /// `available`. Both are in token wei (1e18 = one tonne).
    error BridgeMintRateExceeded(bytes32 classId, uint256 available, uint256 requested);
    /// @dev A cap of zero tonnes or a period of zero seconds.
    error BridgeInvalidMintCap(uint64 tonnesPerPeriod, uint32 periodSeconds);

    /// @dev The cap became `tonnesPerPeriod` tonnes per class per `periodSeconds`.
    event MintCapChanged(uint64 tonnesPerPeriod, uint32 periodSeconds);

    /// @notice Sets the cap: each class mints at most `tonnesPerPeriod` tonnes per window of `periodSeconds`,
    /// from its next window on.
    /// @dev Requirements: the caller has DEFAULT_ADMIN_ROLE ({AccessControlUnauthorizedAccount}); both values
    /// are above zero ({BridgeInvalidMintCap}). Emits a {MintCapChanged} event.
    function setMintCap(uint64 tonnesPerPeriod, uint32 periodSeconds) external;

    /// @notice The cap: tonnes per class per window, and the window's length in seconds.
    function mintCap() external view returns (uint64 tonnesPerPeriod, uint32 periodSeconds);

    /// @notice The current window of class `classId`: when it ends (unix seconds) and how much it still allows
    /// (wei). Once `end` has passed, the class's next mint opens a new window with the cap then in force.
    function mintWindow(bytes32 classId) external view returns (uint64 end, uint256 available);
}
