"""Rows checked against their source text after decoding: one chain of small pure checks (:mod:`.chain`),
switched by :class:`.config.CheckConfig`, run by :func:`.verify.verify_rows` and :func:`.verify.verify_record`."""
