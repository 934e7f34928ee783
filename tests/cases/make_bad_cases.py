"""Regenerates tests/cases/bad/ from the starter template: one mutation per diagnostic code,
with the offending line marked `# <- CODE`. Run from the repository root: python tests/cases/make_bad_cases.py"""
import pathlib
import re

base = pathlib.Path("hubc/templates/starter.toml").read_text()
# strip comments to keep fixtures short
lines = []
for l in base.splitlines():
    if l.startswith("#"): continue
    l = re.sub(r"\s+#.*$", "", l)
    lines.append(l)
base = "\n".join(lines).strip() + "\n"
out = pathlib.Path("tests/cases/bad")

def case(code, slug, edits, append="", about=""):
    text = base
    for old, new in edits:
        assert old in text, (code, old)
        text = text.replace(old, new, 1)
    text = text + append
    header = f"# expect: {code}\n# {about}\n"
    (out / f"{code}-{slug}.toml").write_text(header + text)

M = lambda c: f"  # <- {c}"
case("HUB001","toml-syntax",[("rows = 4\n", "rows = 4\nrows = 5"+M("HUB001")+"\n")], about="a key defined twice")
case("HUB003","unknown-key",[("row_busway_kw = 1250", "row_busway_k = 1250"+M("HUB003"))], about="misspelt busway key")
case("HUB004","missing-key",[("slots_per_row = 12\n", ""), ("[[hall]]", "[[hall]]"+M("HUB004"))], about="hall without slots_per_row")
case("HUB005","wrong-type",[("power_kw = 132", 'power_kw = "132"'+M("HUB005"))], about="a number written as a string")
case("HUB006","out-of-range",[("design_pue = 1.30", "design_pue = 0.9"+M("HUB006"))], about="PUE below 1")
case("HUB007","invalid-choice",[('construction = "underground"', 'construction = "undergound"'+M("HUB007"))], about="misspelt choice")
case("HUB008","schema-version",[('schema = "hubc/1"', 'schema = "hubc/0"'+M("HUB008"))], about="unsupported language version")
case("HUB009","unreadable-file",[], append='\n[[renewable]]\nid = "roof-pv"\nkind = "solar"\ncapacity_mw = 1\ncapacity_factor = 0.14\nprofile_csv = "no-such-profile.csv"'+M("HUB009")+"\n", about="profile CSV that does not exist")
case("HUB101","duplicate-id",[], append='\n[[pod]]\nid = "gb200-su"'+M("HUB101")+'\nracks = [{ rack_type = "gb200-nvl72", count = 8 }]\n', about="two pods with one id")
case("HUB102","unknown-reference",[], append='\n[[phase]]\nid = "phase-1"\nyear = 2027\nhalls = [{ hall = "hall-a" }]\nenergize = ["rx-switchgear", "feeder-1", "bess-x"]'+M("HUB102")+"\n", about="phase energizes an undefined plant id")
case("HUB103","invalid-id",[('id = "my-campus"', 'id = "My Campus"'+M("HUB103"))], about="id not kebab-case")
case("HUB104","unused-definition",[], append='\n[[rack_type]]\nid = "storage-a"'+M("HUB104")+'\nrole = "storage"\npower_kw = 15\n', about="rack type nothing uses")
case("HUB201","pod-longer-than-row",[("slots_per_row = 12", "slots_per_row = 9"+M("HUB201")), ("rows = 4\n", "rows = 8\n"), ("slot = 12,", "slot = 1,")], about="10-rack pod in 9-slot rows")
case("HUB202","racks-exceed-slots",[("slots_per_row = 12", "slots_per_row = 10"), ("slot = 12,", "slot = 1,"), ('pods = [{ pod = "gb200-su", count = 4 }]', 'pods = [{ pod = "gb200-su", count = 4 }]'+M("HUB202"))], about="42 racks, 39 slots")
case("HUB203","hall-busway-capacity",[("row_busway_kw = 1250", "row_busway_kw = 1100"+M("HUB203"))], about="4.52 MW on 4 x 1.1 MW busways")
case("HUB204","hall-liquid-cooling",[("cdu_kw = 1000", "cdu_kw = 800"), ("cdus = 2", "cdus = 2"+M("HUB204"))], about="row loops of 2 x 800 kW N+1 for 845 kW each")
case("HUB205","hall-air-cooling",[("air_kw_per_row = 400", "air_kw_per_row = 200"+M("HUB205"))], about="air heat above 4 x 200 kW")
case("HUB206","floor-loading",[("floor_loading_kg_per_m2 = 2000", "floor_loading_kg_per_m2 = 1500"+M("HUB206"))], about="1360 kg on 0.72 m2")
case("HUB207","keepout-outside-hall",[('keepout = [{ row = 1, slot = 12, reason = "building column" }]', 'keepout = [{ row = 5, slot = 12, reason = "building column" }]'+M("HUB207"))], about="keep-out in row 5 of 4")
case("HUB208","coolant-temperatures",[('cdu_scope = "row"', 'cdu_scope = "row"\nsupply_temp_c = 40\nreturn_temp_c = 30'+M("HUB208"))], about="return colder than supply")
case("HUB301","interconnect-capacity",[("contract_mw = 7", "contract_mw = 5"+M("HUB301"))], about="5.9 MW peak on a 5 MW contract")
case("HUB302","main-transformer-capacity",[("interconnect_voltage_kv = 22.9", "interconnect_voltage_kv = 154"), ("contract_mw = 7", "contract_mw = 45"), ("\nvoltage_kv = 22.9", "\nvoltage_kv = 154"), ("hv_voltage_kv = 22.9", "hv_voltage_kv = 154"), ("transformers = 0", "transformers = 2\ntransformer_mva = 5"+M("HUB302"))],
     append='\n[[waive]]\ncode = "HUB304"\ntarget = "grid.contract_mw"\nreason = "assessment filed"\n', about="2 x 5 MVA N+1 for 6.2 MVA")
case("HUB303","supply-voltage-band",[("interconnect_voltage_kv = 22.9", "interconnect_voltage_kv = 22.9"+M("HUB303")), ("contract_mw = 7", "contract_mw = 45")],
     append='\n[[waive]]\ncode = "HUB304"\ntarget = "grid.contract_mw"\nreason = "assessment filed"\n', about="45 MW at 22.9 kV")
case("HUB304","impact-assessment",[("contract_mw = 7", "contract_mw = 12"+M("HUB304"))], about="12 MW contract")
case("HUB305","voltage-mismatch",[("\nvoltage_kv = 22.9", "\nvoltage_kv = 154"+M("HUB305"))], about="154 kV line into a 22.9 kV interconnect")
case("HUB306","n-minus-1",[("circuits = 2\n", "circuits = 1"+M("HUB306")+"\n")], about="one utility circuit at Tier III")
case("HUB307","substation-transformers",[("transformers = 0", "transformers = 2"+M("HUB307"))], about="transformers in an MV switching station")
case("HUB308","tier-topology",[('topology = "2N"', 'topology = "2N"\ndistribution_paths = 1'+M("HUB308"))], about="Tier III with one path")
case("HUB309","unknown-topology",[('topology = "2N"', 'topology = "3M3"'+M("HUB309"))], about="3 make 3 is not redundant")
case("HUB310","ups-chain-ratings",[("unit_substation_kva = 3150", "unit_substation_kva = 2500"+M("HUB310"))], about="2500 kW UPS on a 2500 kVA transformer")
case("HUB312","grid-code-unknown",[("interconnect_voltage_kv = 22.9", 'code = "nema"'+M("HUB312")+"\ninterconnect_voltage_kv = 22.9")], about="a grid code the catalog has no profile for")
case("HUB313","block-pair-shape",[('topology = "2N"', 'topology = "pairs-0x3"'+M("HUB313"))], about="a block-pair group without A blocks")
case("HUB314","campus-demand",[], append='\n[[demand]]\npod = "gb200-su"\ncount = 4\nhalls = ["hall-x"]'+M("HUB314")+"\n", about="a demand naming a hall that does not exist")
case("HUB401","bess-parameters",[], append='\n[bess]\nid = "bess-1"\nenergy_mwh = 10\npower_mw = 5\nround_trip_efficiency = 90'+M("HUB401")+"\n", about="efficiency as a percentage")
case("HUB402","renewable-capacity-factor",[], append='\n[[renewable]]\nid = "roof-pv"\nkind = "solar"\ncapacity_mw = 1\ncapacity_factor = 0.40'+M("HUB402")+"\n", about="40% solar capacity factor")
case("HUB403","energy-inputs",[], append='\n[[renewable]]\nid = "roof-pv"\nkind = "solar"\ncapacity_mw = "auto"'+M("HUB403")+'\ncapacity_factor = 0.14\n', about="auto capacity without sizing enabled")
case("HUB501","energized-before-supply",[], append='\n[[phase]]\nid = "phase-1"\nyear = 2027\nhalls = [{ hall = "hall-a" }]'+M("HUB501")+'\nenergize = ["feeder-1"]\n\n[[phase]]\nid = "phase-2"\nyear = 2028\nenergize = ["rx-switchgear"]\n', about="hall energized a year before its switchgear")
case("HUB502","phase-copies",[], append='\n[[phase]]\nid = "phase-1"\nyear = 2027\nhalls = [{ hall = "hall-a", copies = 2 }]'+M("HUB502")+'\nenergize = ["rx-switchgear", "feeder-1"]\n', about="2 copies of a 1-copy hall")
case("HUB503","phase-order",[], append='\n[[phase]]\nid = "phase-1"\nyear = 2026'+M("HUB503")+'\nhalls = [{ hall = "hall-a" }]\nenergize = ["rx-switchgear", "feeder-1"]\n', about="phase before the campus start year")
case("HUB801","waiver-expired",[], append='\n[[waive]]\ncode = "HUB203"\ntarget = "hall[0]"\nreason = "temporary overload during phase 1"\nexpires = 2026-01-31'+M("HUB801")+"\n", about="waiver past its date")
case("HUB802","waiver-unused",[], append='\n[[waive]]'+M("HUB802")+'\ncode = "HUB203"\ntarget = "hall[0]"\nreason = "temporary overload during phase 1"\n', about="waiver that matches nothing")
# non-UTF-8 (CP949 bytes in a string)
t = base.replace('name = "My AI Campus"', 'name = "@@"'+M("HUB002"))
data = ("# expect: HUB002\n# a name saved in CP949\n" + t).encode().replace(b"@@", "해남".encode("cp949"))
(out / "HUB002-not-utf8.toml").write_bytes(data)
case("HUB404","cfe-target-unreachable",[], append='\n[[renewable]]\nid = "roof-pv"\nkind = "solar"\ncapacity_mw = 5\ncapacity_factor = 0.14\n\n[energy]\ncfe_target = 0.5'+M("HUB404")+"\n", about="5 MWp of PV cannot supply half of a 5 MW campus")
case("HUB209","rack-does-not-fit-slot",[("slots_per_row = 12", "slots_per_row = 12\nslot_width_mm = 500"+M("HUB209"))], about="600 mm racks in 500 mm slots")
# comments only: nothing to check (the whole file is the finding, reported at line 1)
(out / "HUB010-empty-spec.toml").write_text(
    "# expect: HUB010  # <- HUB010\n# a spec with nothing but comments: a new file not written yet\n\n# schema = \"hubc/1\"\n"
)
# Hardening (issue 12): limits, reads confined to the spec's folder, numbers that are no quantity.
case("HUB011","nesting-too-deep",[('keepout = [{ row = 1, slot = 12, reason = "building column" }]', 'keepout = ' + "[" * 40 + "]" * 40 + M("HUB011"))], about="brackets nested 40 deep (tomllib would recurse until the stack runs out)")
case("HUB013","file-outside-spec-folder",[], append='\n[[renewable]]\nid = "roof-pv"\nkind = "solar"\ncapacity_mw = 1\ncapacity_factor = 0.14\nprofile_csv = "../make_bad_cases.py"'+M("HUB013")+"\n", about="a profile outside the spec's folder (it exists: tests/cases/make_bad_cases.py)")
case("HUB014","not-a-regular-file",[], append='\n[[renewable]]\nid = "roof-pv"\nkind = "solar"\ncapacity_mw = 1\ncapacity_factor = 0.14\nprofile_csv = "."'+M("HUB014")+"\n", about="a profile that is a folder")
case("HUB015","problem-too-large",[("rows = 4\n", "rows = 100\n"), ("slots_per_row = 12", "slots_per_row = 100"+M("HUB015"))], about="10,000 slots in one hall (limit 4,096)")
case("HUB006","not-finite",[("contract_mw = 7", "contract_mw = nan"+M("HUB006"))], about="NaN passes every comparison, so it is refused as a number")
case("HUB006","infinite",[("length_km = 2.0", "length_km = inf"+M("HUB006"))], about="infinity is no length")
case("HUB006","huge-integer",[("gpus = 72", "gpus = " + "9" * 309 + M("HUB006"))], about="309 digits: beyond 64 bits and beyond a float")
case("HUB006","annual-pue",[("design_pue = 1.30", "design_pue = 1.30\nannual_pue = 0.5"+M("HUB006"))], about="an annual PUE below 1")
case("HUB006","phase-copies",[], append='\n[[phase]]\nid = "phase-1"\nyear = 2027\nhalls = [{ hall = "hall-a", copies = 0 }]'+M("HUB006")+'\nenergize = ["rx-switchgear", "feeder-1"]\n', about="a phase energizing no copies")
case("HUB103","trailing-newline",[('id = "hall-a"', 'id = "hall-a\\n"'+M("HUB103"))], about="Python's `$` matches before a final newline; ids use fullmatch")
case("HUB103","too-long",[('id = "hall-a"', 'id = "hall-' + "a" * 70 + '"'+M("HUB103"))], about="ids name files: at most 64 characters")
