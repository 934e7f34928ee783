"""The electrical stage: spec + row loads -> the sized, assigned, studied and rated power chain.

In: the checked `Spec` and the rows of every distinct hall from rack placement. Out:
`ElectricalResult` (`stage.py`): sizing decisions (`sizing.py`), the CP-SAT assignment of rows to
UPS blocks, blocks to MV feeders and feeders to MV bus sections (`feeds.py`), every single failure
re-checked without the solver (`verify.py`), the MV arrangement of the operating philosophy
(`arrangement.py`), the typed network (`network.py`, built by `build.py`), its load-flow and IEC
60909 studies with pandapower (`studies.py`) and the ratings chosen from their duty
(`ratings.py`), in the order `network_design.py` runs them.
"""
