"""The data contract: field naming, schemas, NDJSON tables, gold records and JSON I/O. Imports nothing else of ours."""
