"""Pure text utilities shared by layout detection, checks and metrics: spelling variants and normalisation."""
