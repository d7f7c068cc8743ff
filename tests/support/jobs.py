"""Job fixtures (running rq jobs in tests); filled by the jobs slice."""
