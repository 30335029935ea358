"""Import and export of HSDS 3.0 / Open Referral UK 3.0 (JSON and CSV) and ORUK v1 JSON."""

from services_directory.io.export import export_csv, export_json
from services_directory.io.importer import ImportReport, import_document, import_file
from services_directory.io.normalise import normalise, normalise_csv_package

__all__ = [
    "ImportReport",
    "export_csv",
    "export_json",
    "import_document",
    "import_file",
    "normalise",
    "normalise_csv_package",
]
