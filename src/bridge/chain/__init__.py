"""The chain side: compile and cache contracts, chain backends, deployment, attestation signing."""
