"""The chain side: compile and cache contracts, chain backends, deployment (timelock admin + bridge), what
verifiers sign (EIP-712 lock batches over Merkle trees of registry locks) and the mint call."""
