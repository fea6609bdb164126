"""Public data sets to gold records to training files: format converters, prepare, splits."""
