"""Metrics: structural sanity rates, schema match, the Text-to-Table metric (Wu et al. 2022), aligned cell F1,
grounding, end-to-end scoring, and whole-file evaluation. Definitions: docs/metrics.md."""

from text2table.metrics.aligned import AlignedCounts, align_rows
from text2table.metrics.end_to_end import end_to_end, map_gold_to_schema
from text2table.metrics.grounding import ground_rows
from text2table.metrics.schema_match import SchemaMatch, match_schemas, name_similarity
from text2table.metrics.structural import StructuralCounts, check_schema, count_rows, count_text
from text2table.metrics.wu import TableItems, document_scores, table_items

__all__ = ["AlignedCounts", "SchemaMatch", "StructuralCounts", "TableItems", "align_rows",
           "check_schema", "count_rows", "count_text", "document_scores", "end_to_end", "ground_rows",
           "map_gold_to_schema", "match_schemas", "name_similarity", "table_items"]
