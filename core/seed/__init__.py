"""The synthetic city (``dangjian seed``): a realistic tenant at the scale of a real one, for
benchmarks and for trying the system with a city's worth of data — the one builder of a
city every benchmark uses (``bench/city_tenant.py``).

Its year ends on the day it is seeded, and it is imperfect the way a real year is: each
warning rule of the core slices finds a few percent of what it checks — overdue terms,
committees missing, meetings missed, talks not held, dues unpaid, development steps
overdue — never all nor none. Everything else passes the app's own rules (member records,
development steps, who attends which meeting), which ``tests/seed`` checks.

* :mod:`.profiles` — ``small``, ``city`` (5,000 organisations, 100,000 members), ``large``.
* :mod:`.tree` — the organisation tree across the five sectors, terms spread.
* :mod:`.people` — members (plausible ages, education, jobs, statuses), dues bases.
* :mod:`.groups` — 党小组 under the largest branches, their members moved into them.
* :mod:`.committees` — secretaries, branch committees, accountants and cashiers.
* :mod:`.attributes` — sector data, validated by the plugins' own schemas.
* :mod:`.life` — 三会一课, 党小组会, 组织生活会, 民主评议 and talks with their attendance.
* :mod:`.activity` — dues paid month by month, points.
* :mod:`.development` — people on their way into the Party, step by step.
* :mod:`.bulk` — COPY (PostgreSQL) / executemany (SQLite) writes of plain rows.
* :mod:`.service` / :mod:`.cli` — putting it together; ``dangjian seed``.
"""
