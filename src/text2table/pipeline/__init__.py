"""document -> pi1 schema -> pi2 rows: the schema stage, pi2 jobs, chunking, one run and resumable batches."""
