"""The statement that copies the GCP side's files into Delta.

``COPY INTO`` is idempotent: Delta remembers which files it has loaded and skips them on a
re-run, so the migration job can be retried or re-run after new exports without duplicates.
"""

import re

from .params import qualified_table

# File formats COPY INTO reads.
FORMATS = ("PARQUET", "AVRO", "ORC", "JSON", "CSV")

# Columns selected from the files; the rest of raw.training_examples comes from metadata.
SOURCE_COLUMNS = ["example_id", "features", "label", "event_time"]

_GCS_URI = re.compile(r"^gs://[a-z0-9][a-z0-9._-]{1,61}[a-z0-9](/[A-Za-z0-9._/=-]*)?$")


def source_uri(uri):
    """A gs:// URI without quotes or spaces (it is embedded in SQL as a literal)."""
    if not isinstance(uri, str) or not _GCS_URI.match(uri):
        raise ValueError(f"source_uri {uri!r}: expected a GCS URI such as gs://bucket/path")
    return uri


def copy_into_sql(catalog, target_table, uri, file_format):
    fmt = str(file_format).upper()
    if fmt not in FORMATS:
        raise ValueError(f"file_format {file_format!r}: expected one of {', '.join(FORMATS)}")
    columns = ", ".join(SOURCE_COLUMNS)
    return (
        f"COPY INTO {qualified_table(catalog, target_table)} "
        f"FROM (SELECT {columns}, _metadata.file_path AS source_file FROM '{source_uri(uri)}') "
        f"FILEFORMAT = {fmt}"
    )


def loaded_rows(result):
    """Rows inserted, from COPY INTO's one-row result (``num_inserted_rows``)."""
    if not result:
        return 0
    return int(result[0].get("num_inserted_rows", 0) or 0)
