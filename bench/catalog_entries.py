"""Sample entries of a user catalog file (`[catalog] files`), valid as written: the fuzzer
(bench/fuzz.py) mutates them and the catalog tests extend the shipped catalog with them, so
they are written once here. Each starts with a blank line and ends with a newline, so entries
and a `version = ...` line concatenate into a file."""

# A quoted MV switchgear panel for the equipment catalog (hubc/catalog/equipment.py).
QUOTED_SWITCHGEAR = """
[[equipment]]
id = "mv-switchgear-quote"
family = "mv-switchgear"
description = "Quoted 24 kV switchgear panel"
rating = 24
rating_unit = "kV"
rating_min = 12
rating_max = 36
cost_krw = 110_000_000
scale_exponent = 1.0
cost_source = "quote"
cost_date = "2026-10"
cost_tag = "V"
lead_weeks = 20
lead_source = "quote"
lead_tag = "V"
domestic_vendors = ["ls-electric"]
import_fallback = ["Vertiv (US)"]
origin = "domestic"
"""

# A BESS container for the energy catalog (hubc/catalog/energy.py).
ACME_CONTAINER = """
[[bess_container]]
id = "acme-bess-4mwh"
name = "ACME 4 MWh (20-ft, LFP)"
vendor = "ACME"
domestic = true
energy_mwh = 4.0
c_rate = 0.5
round_trip_efficiency = 0.90
depth_of_discharge = 0.95
eol_state_of_health = 0.80
lifetime_years = 20
cost_usd_per_kwh = 120.0
pcs_cost_usd_per_kw = 60.0
source = "vendor quote Q-123 (illustrative)"
date = "2026-10"
tag = "V"
"""
