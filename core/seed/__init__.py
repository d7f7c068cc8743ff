"""The synthetic city (``dangjian seed``): a realistic tenant at the scale of a real one, for
benchmarks and for trying the system with a city's worth of data.

* :mod:`.profiles` — ``small``, ``city`` (5,000 organisations, 100,000 members), ``large``.
* :mod:`.tree` — the organisation tree across the five sectors.
* :mod:`.people` — members (plausible ages, education, jobs, statuses), posts, dues bases.
* :mod:`.attributes` — sector data, validated by the plugins' own schemas.
* :mod:`.activity` — a year of meetings with attendance, dues, development paths, points.
* :mod:`.bulk` — COPY (PostgreSQL) / executemany (SQLite) writes of plain rows.
* :mod:`.service` / :mod:`.cli` — putting it together; ``dangjian seed``.
"""
