"""Tenant configuration (系统管理), for tenant administrators: the hub (``hub``), plugins and
their settings (``plugins``), standards and indicators with the score preview
(``standards``), star thresholds and caps (``stars``), warning rules (``warning_rules``),
point rules and redemption partners (``point_rules``), users and roles (``users``) and the
audit log (``audit``)."""
