"""党内统计: the half-year and annual statistics tables, computed from the records."""
