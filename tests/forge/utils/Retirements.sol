// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {RetirementDetails} from "../../../contracts/interfaces/IRetirementLedger.sol";

/// @notice Retirement details for tests: the minimal form (a beneficiary, a reason, voluntary offsetting)
/// and a complete one (every field set, as a corporate claim would state it).
library Retirements {
    uint8 internal constant VOLUNTARY_OFFSETTING = 1;

    function simple(string memory beneficiary, string memory reason)
        internal
        pure
        returns (RetirementDetails memory d)
    {
        d.beneficiaryName = beneficiary;
        d.reason = reason;
        d.purpose = VOLUNTARY_OFFSETTING;
    }

    function complete(string memory beneficiary, string memory reason)
        internal
        pure
        returns (RetirementDetails memory d)
    {
        d = simple(beneficiary, reason);
        d.beneficiaryAddress = address(0xBEEF);
        d.retiringEntity = "Acme Offsets Ltd";
        d.consumptionCountry = "DE";
        d.consumptionStart = 20240101;
        d.consumptionEnd = 20241231;
        d.claimJurisdiction = "DE-BY";
    }

    /// @dev The personal data (names) only as its hash.
    function hashed(bytes32 salt, string memory beneficiary, string memory entity)
        internal
        pure
        returns (RetirementDetails memory d)
    {
        d.purpose = VOLUNTARY_OFFSETTING;
        d.personalDataHash = keccak256(abi.encode(salt, beneficiary, entity));
    }
}
