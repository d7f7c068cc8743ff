"""党员档案: each member's and applicant's documents, typed and dated, with completeness checks
per development stage (:mod:`core.archives.service`)."""
