// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "solady/tokens/ERC20.sol";

import {CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";

/// @notice An ERC-20 that claims to be a class token of `bridge` for the class `creditClass_`, with the
/// right class id, without having been created by the bridge. Anyone can mint it.
contract FakeClassToken is ERC20 {
    address public immutable bridge;
    bytes32 public immutable classId;
    CreditClass internal _class;

    constructor(address bridge_, bytes32 classId_, CreditClass memory creditClass_) {
        bridge = bridge_;
        classId = classId_;
        _class = creditClass_;
    }

    function name() public pure override returns (string memory) {
        return "Fake";
    }

    function symbol() public pure override returns (string memory) {
        return "FAKE";
    }

    function creditClass() external view returns (CreditClass memory) {
        return _class;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
