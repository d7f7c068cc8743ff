"""Member records (党员): identity, Party record, lifecycle history and transfers."""
