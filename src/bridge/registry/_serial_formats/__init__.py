"""Private: one module per serial-number format. The public API is ``bridge.registry.serials``."""
