"""The electrical stage: spec + row loads -> the sized, assigned and failure-verified power chain.

In: the checked `Spec` and the rows of every distinct hall from rack placement. Out:
`ElectricalResult` (`stage.py`): sizing decisions (`sizing.py`), the CP-SAT assignment of rows to
UPS blocks, blocks to MV feeders and feeders to main-transformer sections (`feeds.py`), and every
single failure re-checked without the solver (`verify.py`).
"""
