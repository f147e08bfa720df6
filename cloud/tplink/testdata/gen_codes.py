# Regenerates ../codes_table.go from the §1.5 error code table of the TUMS
# document. Run from the repository root:
#   python3 cloud/tplink/testdata/gen_codes.py ../shared/seeds/001_f17da8ae0b6e7308.txt
import re, sys

lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
start = lines.index("1.5 错误码说明")
sec = [l.strip() for l in lines[start:] if l.strip()]
codes, seen, i = [], set(), 0
while i < len(sec):
    if re.fullmatch(r"-\d+", sec[i]) and i + 1 < len(sec):
        c = int(sec[i])
        if c not in seen:
            seen.add(c)
            codes.append((c, sec[i + 1]))
        i += 2
    else:
        i += 1
out = ["// Code generated from seeds/001_f17da8ae0b6e7308.txt §1.5 (error code table); the texts are the document's. DO NOT EDIT.",
       "", "package tplink", "",
       "// codeTexts maps every error code of §1.5 to the document's description.",
       "var codeTexts = map[int]string{"]
for c, t in codes:
    out.append("\t%d: %s," % (c, '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'))
out.append("}")
open("cloud/tplink/codes_table.go", "w", encoding="utf-8").write("\n".join(out) + "\n")
