"""Reading a municipality's own extracts (one CSV or Parquet file per table) into typed frames."""
