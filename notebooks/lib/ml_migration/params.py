"""Validating the parameters a job passes to a notebook before they reach SQL."""

import json
import re

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")


def identifier(name, value):
    """Return ``value`` if it is a plain SQL identifier, else raise naming the parameter."""
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise ValueError(
            f"parameter {name} = {value!r}: expected a SQL identifier "
            "(letters, digits or '_', not starting with a digit)"
        )
    return value


def qualified_table(catalog, schema_table):
    """``catalog`` + ``schema.table`` -> a back-quoted three-part name, each part validated."""
    parts = schema_table.split(".") if isinstance(schema_table, str) else []
    if len(parts) != 2:
        raise ValueError(f"table {schema_table!r}: expected schema.table")
    names = [identifier("catalog", catalog), identifier("schema", parts[0]), identifier("table", parts[1])]
    return ".".join(f"`{n}`" for n in names)


def json_object(name, text):
    """Parse a JSON object parameter, naming it when it is not one."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError) as err:
        raise ValueError(f"parameter {name}: expected a JSON object ({err})") from None
    if not isinstance(value, dict):
        raise ValueError(f"parameter {name}: expected a JSON object, got {type(value).__name__}")
    return value


def positive_int(name, text):
    try:
        value = int(text)
    except (TypeError, ValueError):
        raise ValueError(f"parameter {name} = {text!r}: expected a positive integer") from None
    if value < 1:
        raise ValueError(f"parameter {name} = {text!r}: expected a positive integer")
    return value


def volume_path(catalog, schema_volume):
    """``catalog`` + ``schema.volume`` -> the volume's ``/Volumes/catalog/schema/volume`` path, each part validated."""
    parts = schema_volume.split(".") if isinstance(schema_volume, str) else []
    if len(parts) != 2:
        raise ValueError(f"volume {schema_volume!r}: expected schema.volume")
    names = [identifier("catalog", catalog), identifier("schema", parts[0]), identifier("volume", parts[1])]
    return "/Volumes/" + "/".join(names)
