"""``dangjian demo``: one command from a fresh clone to a working demo city."""
