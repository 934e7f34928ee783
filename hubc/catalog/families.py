"""The fixed vocabulary of equipment families the catalog prices and the stages size.

Every family has exactly one entry in `data/equipment-families.toml`."""

FAMILIES = (
    "gpu-rack",
    "network-rack",
    "storage-rack",
    "rack-pdu",
    "busway",
    "lv-switchboard",
    "breaker",
    "ups-module",
    "ups-battery",
    "unit-substation",
    "mv-switchgear",
    "mv-cable",
    "main-transformer",
    "hv-switchgear",
    "generator",
    "cdu",
    "dry-cooler",
    "chiller",
    "cooling-tower",
    "pump",
    "crah",
    "bess-container",
    "bess-pcs",
    "solar-pv",
    "wind-turbine",
    "transmission-line",
    "network-fabric",
    "physical-security",
)
