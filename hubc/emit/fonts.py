"""Font stacks of hubc's drawings and pages.

Latin text first (the SLD measures its labels with DejaVu Sans advance widths, hubc/emit/sld/text.py),
then CJK fonts so Korean names render instead of boxes: Noto Sans CJK KR (Linux), Malgun Gothic
(Windows), Apple SD Gothic Neo (macOS).
"""

from __future__ import annotations

CJK = '"Noto Sans CJK KR", "Noto Sans KR", "Malgun Gothic", "Apple SD Gothic Neo"'

# SVG drawings (floor plans, energy year, single-line diagram): as a presentation attribute
# (double-quoted, so the family names use single quotes) and as CSS inside <style>.
SVG_FONT_STACK = "'DejaVu Sans', Arial, " + CJK.replace('"', "'") + ", sans-serif"

# HTML pages (report)
PAGE_FONT_STACK = '"Helvetica Neue", Helvetica, Arial, ' + CJK + ", sans-serif"
