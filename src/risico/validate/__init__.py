"""The validate stage: Great Expectations suites built from the data contract, and row quarantine."""
