"""What a document's layout says, found once: grid tables, marked item lists, rows told in sentences."""
