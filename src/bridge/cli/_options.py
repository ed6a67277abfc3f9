"""Option groups: options that several commands take together, declared once as a frozen dataclass whose
fields are Typer-annotated (``url: UrlOption = DEFAULT_URL``).

A command takes the group as one parameter (``target: TimelockChange``; keyword-only after options with
defaults: ``*, units: HeldUnits``) and is decorated with ``@grouped``:
Typer then sees the group's fields as the command's own options, in the group's place and order, and the
command receives the group built from them. Typer has no such groups of its own (it reads the signature).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, get_type_hints

Command = TypeVar("Command", bound=Callable[..., Any])


def _group_fields(kind: type, parameter: inspect.Parameter) -> list[inspect.Parameter]:
    hints = get_type_hints(kind, include_extras=True)
    return [
        inspect.Parameter(
            field.name,
            parameter.kind,
            default=inspect.Parameter.empty if field.default is dataclasses.MISSING else field.default,
            annotation=hints[field.name],
        )
        for field in dataclasses.fields(kind)
    ]


def grouped(command: Command) -> Command:
    """``command`` with each parameter whose type is a dataclass shown to Typer as that dataclass's fields."""
    hints = get_type_hints(command, include_extras=True)
    parameters: list[inspect.Parameter] = []
    groups: dict[str, tuple[type, list[str]]] = {}
    for parameter in inspect.signature(command).parameters.values():
        kind = hints.get(parameter.name, parameter.annotation)
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            fields = _group_fields(kind, parameter)
            groups[parameter.name] = (kind, [field.name for field in fields])
            parameters += fields
        else:
            parameters.append(parameter.replace(annotation=kind))

    @functools.wraps(command)
    def run(**options: Any) -> Any:
        for name, (kind, names) in groups.items():
            options[name] = kind(**{field: options.pop(field) for field in names})
        return command(**options)

    signature = inspect.Signature(parameters, return_annotation=hints.get("return", inspect.Signature.empty))
    run.__signature__ = signature  # type: ignore[attr-defined]
    run.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters}
    return run  # type: ignore[return-value]
