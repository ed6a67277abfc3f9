"""carbon-bridge: a tokenization bridge for registry carbon credits, and a simulated registry."""

__version__ = "0.1.0"
