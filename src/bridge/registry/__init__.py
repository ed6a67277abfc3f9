"""Simulated carbon-credit registry: serial numbers, ledger and its errors."""
