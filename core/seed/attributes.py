"""Sector data (数据字段) of the synthetic city's organisations, in the keys the sector plugins
declare — and checked by those plugins' own schemas (:func:`core.orgs.attributes.validate`),
so the seed can never store what the app would refuse. A sector whose plugin the tenant
has not enabled gets none."""

from __future__ import annotations

import random
from datetime import date

from core.orgs import attributes as org_attributes
from core.seed import names

NINE_HAVES = ("有党员活动室", "有图书阅览室", "有职工说事室", "有会议桌椅", "有电教设备", "有党旗", "有党建制度",
              "有党组织网络图", "有党员群像图")


def generate(org: dict, rng: random.Random, today: date) -> dict:
    sector, kind, name = org["sector"], org["kind"], org["name"]
    if kind == "group":
        return {}  # a 党小组 has no sector data of its own
    if sector == "rural" and kind != "committee":
        households = rng.randint(150, 900)
        return {
            "village": True, "key_village": rng.random() < 0.1, "households": households,
            "population": households * rng.randint(3, 4), "village_groups": rng.randint(3, 12),
            "service_centre_area_m2": float(rng.randrange(80, 500, 10)),
            "service_centre_functions": rng.sample(names.SERVICE_FUNCTIONS, rng.randint(2, 7)),
            "village_committee_term_started_on": date(today.year - rng.choice((0, 1, 2, 3, 5)), 3, 15).isoformat(),
            "secretary_is_director": rng.random() < 0.8,
        }
    if sector == "community" and kind == "committee" and name.endswith("社区党委"):
        compounds = rng.randint(2, 12)
        return {
            "population": rng.randint(4000, 15000), "households": rng.randint(1500, 5000),
            "residential_compounds": compounds, "owners_committees": rng.randint(0, compounds),
            "community_workers": rng.randint(6, 20), "worker_avg_monthly_pay": rng.randrange(3000, 6500, 100),
            "venue_area_m2": float(rng.randrange(200, 1200, 50)),
        }
    if sector == "community" and kind == "branch":
        return {"branch_setting": "grid"}
    if sector == "organs" and kind == "branch":
        return {"organ_name": name.removesuffix("机关党支部"), "staff_total": rng.randint(15, 150),
                "party_office_full_time": rng.choice((0, 1, 1, 2)), "party_office_part_time": rng.randint(1, 4)}
    if sector == "two_new" and kind == "branch":
        return {"nine_haves": rng.sample(NINE_HAVES, rng.randint(2, 6)),
                "secretary_source": rng.choice(("owner", "manager", "manager", "other"))}
    if sector == "two_new" and kind == "committee":
        return {"comprehensive": True}
    if sector == "soe" and kind in ("committee", "branch") and "国资委" not in name:
        return {"enterprise_name": name.removesuffix("党委").removesuffix("党支部") + "有限公司",
                "enterprise_level": "group" if kind == "committee" else "second",
                "employees": rng.randint(80, 3000), "has_board": kind == "committee",
                "charter_includes_party_building": (in_charter := rng.random() < 0.9),
                # the prior-review clause is part of the charter's Party-building chapter
                "charter_prior_review_clause": in_charter and rng.random() < 0.9}
    return {}


def fill(orgs: list[dict], rng: random.Random, today: date) -> int:
    """Give every organisation its sector data, validated by the enabled plugins; returns
    how many got some."""
    filled = 0
    schemas: dict[tuple, tuple] = {}
    for org in orgs:
        wanted = generate(org, rng, today)
        if not wanted:
            continue
        pair = (org["sector"], org["kind"])
        if pair not in schemas:
            found = org_attributes.schemas_for(*pair)
            schemas[pair] = (found, org_attributes.declared_keys(found))
        found, declared = schemas[pair]
        wanted = {k: v for k, v in wanted.items() if k in declared}
        if wanted:
            org["attributes"] = org_attributes.check(found, wanted)
            filled += 1
    return filled
