// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title BaselineERC20
/// @notice A plain OpenZeppelin ERC-20 with an open mint: the baseline the gas benchmark compares class
/// token transfers against. Test and benchmark use only; never deploy it anywhere that matters.
contract BaselineERC20 is ERC20 {
    constructor() ERC20("Baseline", "BASE") {}

    /// @notice Mints `amount` to `to`; anyone may call it.
    /// @dev Emits a {Transfer} event from the zero address.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
