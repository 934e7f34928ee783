"""hubc: the design compiler for AI data-center campuses (TOML spec -> design, BOM, diagrams)."""

__version__ = "0.1.0"
SCHEMA = "hubc/1"
