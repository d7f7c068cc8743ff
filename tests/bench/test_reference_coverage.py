"""Every built-in warning rule and measured indicator has its yardstick query, so a new rule
or indicator cannot slip out of the benchmark's comparison (``bench/city.py``) unnoticed."""

from __future__ import annotations

from bench.reference import cycle, sweep
from core.assessment import registry as indicators
from core.warnings import registry as rules


def test_every_built_in_rule_has_a_reference_query(app_ctx):
    declared = {key for key in rules.all_rules() if key.split(".")[0] in sweep.SLICES}
    assert len(declared) > 50
    assert declared - set(sweep.all_rules()) == set()
    assert set(sweep.all_rules()) - declared == set()  # no query for a rule that is gone


def test_every_built_in_measured_indicator_has_a_reference_query(app_ctx):
    declared = {key for key, found in indicators.all_indicators().items()
                if key.split(".")[0] in cycle.SLICES and found.item.scoring != "manual"}
    assert len(declared) > 40
    assert declared - set(cycle.all_indicators()) == set()
    assert set(cycle.all_indicators()) - declared == set()
