"""Error codes and exceptions of the simulated registry layer.

Every error the registry raises derives from ``RegistryError`` and carries a ``RegistryErrorCode``.
The codes are a shared catalogue: add new ones at the end of the enum, never rename or remove one.
"""

from __future__ import annotations

from bridge.errors import CodedError, ErrorCode


class RegistryErrorCode(ErrorCode):
    """Machine-readable codes of registry errors (``NAME = (code, http_status, meaning)``)."""

    INVALID_REQUEST = ("invalid_request", 400, "The request to the registry is not valid.")
    SERIAL_MALFORMED = ("serial_malformed", 422, "A serial number does not follow its program's format.")
    UNKNOWN_PROGRAM = ("unknown_program", 422, "The program/registry code is not one the registry models.")
    # the ledger engineer appends more codes below this line
    UNKNOWN_PROJECT = ("unknown_project", 404, "No project with that program and project id is registered.")
    PROGRAM_EXISTS = ("program_exists", 409, "A program with that code is already registered.")
    PROJECT_EXISTS = ("project_exists", 409, "A project with that program and project id is already registered.")
    LABEL_INCONSISTENT = ("label_inconsistent", 422, "A project's labels contradict each other or its program.")
    UNKNOWN_ACCOUNT = ("unknown_account", 404, "No registry account has that id.")
    ACCOUNT_CLOSED = ("account_closed", 409, "The account is closed: it can neither send nor receive units.")
    ACCOUNT_NOT_EMPTY = ("account_not_empty", 409, "The account still holds live units and cannot be closed.")
    WRONG_ACCOUNT_KIND = ("wrong_account_kind", 422, "The account's kind does not fit the operation.")
    SAME_ACCOUNT = ("same_account", 422, "Source and destination accounts are the same.")
    UNKNOWN_ISSUANCE = ("unknown_issuance", 404, "No issuance has that id.")
    OVERLAPPING_BLOCK = ("overlapping_block", 409, "The unit numbers overlap units that already exist.")
    QUANTITY_INVALID = ("quantity_invalid", 422, "The quantity is not a whole number of units in range.")
    INSUFFICIENT_UNITS = ("insufficient_units", 409, "Fewer eligible units are available than requested.")
    BLOCK_NOT_FOUND = ("block_not_found", 404, "No unit block has that serial number.")
    LOCK_NOT_FOUND = ("lock_not_found", 404, "No registry lock has that id.")
    INVALID_TRANSITION = ("invalid_transition", 409, "The units' status does not allow that operation.")
    BLOCK_FROZEN = ("block_frozen", 409, "The block is frozen (issued in error) and cannot move.")
    BLOCK_NOT_FROZEN = ("block_not_frozen", 409, "The block is not frozen.")
    NOT_OWNER = ("not_owner", 403, "The acting account does not hold the units it names.")
    IDEMPOTENCY_CONFLICT = ("idempotency_conflict", 409, "The request id was already used for a different request.")
    CONSTRAINT_VIOLATION = ("constraint_violation", 409, "The database refused a change that breaks a ledger rule.")
    NOT_INITIALIZED = ("registry_not_initialized", 409, "The registry database has no genesis entry yet.")
    JOURNAL_CORRUPT = ("journal_corrupt", 409, "The journal's hash chain is broken: an entry was edited or removed.")
    INTEGRITY_VIOLATION = ("integrity_violation", 409, "Stored blocks break uniqueness or conservation of units.")
    REPLAY_DIVERGED = ("replay_diverged", 409, "Replaying the journal gave a different result than recorded.")
    REPLAY_TARGET_NOT_EMPTY = ("replay_target_not_empty", 409, "Replay needs an empty registry database.")
    # the registry API and its clients (bridge.registry.api, auth, client)
    UNAUTHORIZED = ("unauthorized", 401, "No API key, or an unknown or revoked one, was given (X-API-Key).")
    FORBIDDEN = ("forbidden", 403, "The API key does not act for that account or is not the operator's.")
    UNKNOWN_API_KEY = ("unknown_api_key", 404, "No API key has that id.")
    ROUTE_NOT_FOUND = ("route_not_found", 404, "No registry API endpoint has that path.")
    METHOD_NOT_ALLOWED = ("method_not_allowed", 405, "The endpoint does not accept that HTTP method.")
    REGISTRY_UNAVAILABLE = ("registry_unavailable", 503, "The registry cannot be reached (connection or database).")
    REGISTRY_BAD_RESPONSE = ("registry_bad_response", 502, "The registry's answer is not a registry response.")
    REGISTRY_INTERNAL_ERROR = ("registry_internal_error", 500, "The registry failed unexpectedly; retry later.")
    # importing registries' own exports (bridge.registry.imports)
    IMPORT_UNREADABLE = ("import_unreadable", 422, "A file to import cannot be read as CSV text.")
    IMPORT_UNKNOWN_FORMAT = ("import_unknown_format", 422, "A file's header is none of the exports the importer reads.")
    IMPORT_MISSING_COLUMNS = ("import_missing_columns", 422, "A file lacks columns its export format needs.")
    CELL_EMPTY = ("cell_empty", 422, "A cell the import needs is empty.")
    CELL_INVALID = ("cell_invalid", 422, "A cell does not hold what its column does (a number, date, yes/no, ...).")


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
