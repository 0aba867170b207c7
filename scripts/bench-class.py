#!/usr/bin/env python3
"""bench-class.py OUT [N] — a class of N submissions (default 100) for `make bench`.

Built from the kit's own material, the way a real class mixes them:
  70 % the reference solutions (correct students),
  15 % one known-wrong lab each (tests/corpus/NN-name.json mutants),
   8 % one hostile lab each (tests/corpus/hostile.json: hangs, bombs, floods),
   4 % a lab that does not compile,
   3 % every function of every lab hangs.
Deterministic: the same N gives the same class. Also writes OUT/../all-hang,
one submission in which every function hangs.
"""
import json
import os
import random
import re
import sys

KIT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
LABS = sorted(d for d in os.listdir(os.path.join(KIT, "labs"))
              if os.path.exists(os.path.join(KIT, "labs", d, "rubric.json")))
RUBRIC = {lab: json.load(open(os.path.join(KIT, "labs", lab, "rubric.json"))) for lab in LABS}


def solution(lab):
    return open(os.path.join(KIT, "solutions", lab, RUBRIC[lab]["file"])).read()


def apply_mutant(lab, m):
    """The solution with a corpus entry's edits, as tests/kit applies them."""
    text = solution(lab)
    for old, new in m.get("replace", []):
        text = text.replace(old, new, 1)
    if "payload" in m:
        head = "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n"
        text = text.replace(head, head + m["payload"] + "\n", 1)
    includes = m.get("add_include", [])
    if isinstance(includes, str):
        includes = [includes]
    if m.get("payload") is not None:
        includes = ["stdlib.h", "string.h", "signal.h", "unistd.h", "fcntl.h", "stdio.h",
                    "sys/shm.h", "sys/sem.h", "sys/msg.h", "sys/mman.h"] + includes
    top = "".join(f"#include <{h}>\n" for h in includes) + m.get("prepend", "")
    text = top + text
    if "append" in m:
        text += "\n" + m["append"]
    return text.replace("@KIT@", "/nonexistent").replace("@CANARY@", "/nonexistent")


def all_hang(lab):
    """Every API function spins before doing anything."""
    text = solution(lab)
    for fn in RUBRIC[lab]["api"]:
        text = re.sub(r"(\n[^\n;]*\b" + re.escape(fn) + r"\([^;{]*\)\n\{\n)",
                      r"\1    for (volatile int spin = 1; spin;) {\n    }\n", text, count=1)
    return text


def write_student(root, name, files):
    for lab in LABS:
        d = os.path.join(root, name, lab)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, RUBRIC[lab]["file"]), "w") as f:
            f.write(files.get(lab, solution(lab)))


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    rng = random.Random(n)
    mutants = []
    for lab in LABS:
        path = os.path.join(KIT, "tests", "corpus", lab + ".json")
        if os.path.exists(path):
            mutants += [(lab, m) for m in json.load(open(path))["mutants"]
                        if m.get("state", "graded") == "graded" and not m.get("memcheck")]
    hostile = [m for m in json.load(open(os.path.join(KIT, "tests", "corpus", "hostile.json")))["mutants"]
               if "payload" in m and not m.get("memcheck") and "link" not in m]
    kinds = (["correct"] * 70 + ["mutant"] * 15 + ["hostile"] * 8 + ["compile"] * 4 +
             ["hang"] * 3)
    for i in range(n):
        kind = kinds[i * len(kinds) // n]
        files = {}
        if kind == "mutant":
            lab, m = mutants[rng.randrange(len(mutants))]
            files[lab] = apply_mutant(lab, m)
        elif kind == "hostile":
            files["01-shared-buffer"] = apply_mutant("01-shared-buffer", hostile[rng.randrange(len(hostile))])
        elif kind == "compile":
            lab = LABS[rng.randrange(len(LABS))]
            files[lab] = solution(lab).replace("{", "{ this is not C", 1)
        elif kind == "hang":
            files = {lab: all_hang(lab) for lab in LABS}
        write_student(out, f"{kind}-{i:03d}", files)
    write_student(os.path.join(os.path.dirname(os.path.abspath(out)), "all-hang"), ".",
                  {lab: all_hang(lab) for lab in LABS})


main()
