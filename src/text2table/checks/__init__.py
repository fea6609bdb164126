"""Rows checked against their source text after decoding (evidence, polarity, attribution)."""
