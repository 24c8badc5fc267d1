#!/usr/bin/env python3
"""Writes the conformance table (one column per proxy) into a markdown file.

   table.py OUT_DIR DOC PROXY...

Reads OUT_DIR/<proxy>.tsv (conformance_runner output: kind, id, expected, observed, verdict,
detail) and replaces the text between the markers `<!-- table:begin -->` and
`<!-- table:end -->` in DOC (the rest of DOC, the hand-written explanations, is kept). A cell is
the observed verdict, prefixed with "FAIL " when it is not one the RFCs allow.
"""
import pathlib
import sys

BEGIN, END = "<!-- table:begin -->", "<!-- table:end -->"


def load(path):
    rows = {}
    for line in path.read_text().splitlines():
        parts = line.split("\t")
        if len(parts) >= 5:
            rows[(parts[0], parts[1])] = parts
    return rows


def cell(row):
    if row is None:
        return "n/a"
    observed = row[3].replace("|", "\\|")
    return observed if row[4] == "PASS" else f"**FAIL** {observed}"


def main():
    out, doc, proxies = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3:]
    results = {p: load(out / f"{p}.tsv") for p in proxies}
    keys = list(results[proxies[0]].keys())
    lines = []
    totals = {p: sum(1 for r in results[p].values() if r[4] == "PASS") for p in proxies}
    lines.append("| vectors | " + " | ".join(proxies) + " |")
    lines.append("|---|" + "---|" * len(proxies))
    lines.append(f"| passed of {len(keys)} | " +
                 " | ".join(str(totals[p]) for p in proxies) + " |")
    lines.append("")
    for kind in ("request", "response"):
        lines.append(f"### {kind.capitalize()} vectors")
        lines.append("")
        lines.append("| id | RFC allows | " + " | ".join(proxies) + " |")
        lines.append("|---|---|" + "---|" * len(proxies))
        for key in keys:
            if key[0] != kind:
                continue
            expected = results[proxies[0]][key][2].replace("|", "\\|")
            cells = " | ".join(cell(results[p].get(key)) for p in proxies)
            lines.append(f"| `{key[1]}` | {expected} | {cells} |")
        lines.append("")
    first = proxies[0]
    others = proxies[1:]
    lines.append(f"### Where {first} differs from all of {', '.join(others)}")
    lines.append("")
    differ = 0
    for key in keys:
        mine = results[first][key]
        theirs = [results[p].get(key) for p in others]
        if all(t is not None and (t[4] != mine[4]) for t in theirs):
            differ += 1
            detail = mine[5] if len(mine) > 5 else ""
            lines.append(f"- `{key[0]} {key[1]}`: {first} {mine[4]} ({mine[3]}); "
                         + "; ".join(f"{p} {t[4]} ({t[3]})" for p, t in zip(others, theirs))
                         + (f". Detail: {detail}" if detail and mine[4] != "PASS" else ""))
    if differ == 0:
        lines.append("- none")
    table = "\n".join(lines)
    text = doc.read_text() if doc.exists() else f"{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    doc.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}")


if __name__ == "__main__":
    main()
