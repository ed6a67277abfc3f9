"""Reading an error response's body back (``ErrorBody``): what every client of the project's APIs does."""

from __future__ import annotations

from bridge.errors import ErrorBody
from bridge.registry.errors import RegistryError, RegistryErrorCode, SerialFormatError


def test_an_error_body_reads_back_as_the_error_that_wrote_it() -> None:
    sent = SerialFormatError("bad serial", code=RegistryErrorCode.SERIAL_MALFORMED, field="serial", details={"a": 1})
    body = ErrorBody.of(sent.to_dict())
    assert body is not None
    code = body.code_in(RegistryErrorCode)
    assert code is RegistryErrorCode.SERIAL_MALFORMED
    error = body.error(SerialFormatError, code)
    assert (type(error), error.code, error.message, error.field, error.details) == (
        SerialFormatError,
        RegistryErrorCode.SERIAL_MALFORMED,
        "bad serial",
        "serial",
        {"a": 1},
    )


def test_only_an_object_with_a_text_code_is_an_error_body() -> None:
    assert ErrorBody.of(None) is None
    assert ErrorBody.of(["code"]) is None
    assert ErrorBody.of({"code": 7, "message": "x"}) is None
    assert ErrorBody.of({"message": "x"}) is None


def test_parts_of_the_wrong_type_are_left_out() -> None:
    body = ErrorBody.of({"code": "forbidden", "message": 3, "field": ["x"], "details": "y"})
    assert body == ErrorBody(code="forbidden", message=None, field=None, details=None)
    error = body.error(RegistryError, RegistryErrorCode.FORBIDDEN)
    assert (error.message, error.field, error.details) == ("", None, {})


def test_a_code_another_catalogue_has_is_none_in_this_one() -> None:
    body = ErrorBody.of({"code": "teapot", "message": "short and stout"})
    assert body is not None and body.code_in(RegistryErrorCode) is None
