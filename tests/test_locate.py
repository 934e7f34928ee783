"""The key-path -> line:col locator on TOML shapes specs use."""

from hubc.spec.locate import locate

TEXT = '''\
schema = "hubc/1"   # comment
[campus]
name = """multi
line = 3"""
cooling.cdu_kw = 5
"quoted key" = 'x'

[[hall]]
id = "a"
[[hall]]
id = "b"
pods = [
  { pod = "p", count = 2 },
  {pod="q",count=3},
]
[hall.cooling]
cdus = 4
[[hall.extra]]
n = 1
date = 1979-05-27 07:32:00
[[hall.extra]]
n = 2
'''


def test_positions():
    pos = locate(TEXT)
    assert pos.value(("schema",))[:2] == (1, 10)
    assert pos.key(("campus", "cooling", "cdu_kw"))[:2] == (5, 9)
    assert pos.value(("campus", "cooling", "cdu_kw"))[:2] == (5, 18)
    assert pos.key(("campus", "quoted key"))[:2] == (6, 1)
    assert pos.value(("hall", 0, "id"))[:2] == (9, 6)
    assert pos.value(("hall", 1, "id"))[:2] == (11, 6)
    assert pos.value(("hall", 1, "pods", 0, "count"))[:2] == (13, 24)
    assert pos.value(("hall", 1, "pods", 1, "count"))[:2] == (14, 18)
    assert pos.key(("hall", 1, "cooling"))[:2] == (16, 2)
    assert pos.value(("hall", 1, "cooling", "cdus"))[:2] == (17, 8)
    assert pos.value(("hall", 1, "extra", 0, "date")) == (20, 8, 19)
    assert pos.value(("hall", 1, "extra", 1, "n"))[:2] == (22, 5)
    # A path that is not in the file falls back to its nearest ancestor.
    assert pos.key(("hall", 1, "cooling", "missing"))[:2] == (16, 2)
    assert pos.key(("hall", 0))[:2] == (8, 3)


def test_columns_count_characters_not_bytes():
    pos = locate('name = "해남"\nx = 1\n')
    assert pos.value(("x",))[:2] == (2, 5)
    assert pos.value(("name",)) == (1, 8, 4)
