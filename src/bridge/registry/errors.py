"""Error codes and exceptions of the simulated registry layer.

Every error the registry raises derives from ``RegistryError`` and carries a ``RegistryErrorCode``.
The codes are a shared catalogue (error_codes.toml): add new ones at the end of a group, never rename or remove one.
"""

from __future__ import annotations

from bridge.errors import CodedError, declared_codes

RegistryErrorCode = declared_codes("RegistryErrorCode", "bridge.registry")
"""The codes, each with its HTTP status and meaning: ``error_codes.toml`` beside this module."""


class RegistryError(CodedError):
    """Root of every error the registry raises."""

    default_code = RegistryErrorCode.INVALID_REQUEST


class SerialFormatError(RegistryError):
    """A serial number (or a serial field) is malformed; ``field`` names the offending serial field."""

    default_code = RegistryErrorCode.SERIAL_MALFORMED


class JournalCorruptError(RegistryError):
    """The journal's hash chain does not verify; ``details`` name the first bad ``seq``."""

    default_code = RegistryErrorCode.JOURNAL_CORRUPT


class IntegrityViolationError(RegistryError):
    """Stored unit blocks overlap, leave a gap, or do not add up to their issuance."""

    default_code = RegistryErrorCode.INTEGRITY_VIOLATION


class ImportRefusal(RegistryError):
    """A file, or one row of it, that an import refuses; ``field`` names the export's column at fault."""

    default_code = RegistryErrorCode.CELL_INVALID


class ReplayError(RegistryError):
    """Replaying a journal failed or produced a state other than the recorded one."""

    default_code = RegistryErrorCode.REPLAY_DIVERGED
