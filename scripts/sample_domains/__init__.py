"""Domain generators of the bundled sample gold set; each module has ``DOMAIN``, ``GROUPS`` and
``make_group(rng, index) -> list[Sample]`` (several samples in one group are near-duplicates)."""
