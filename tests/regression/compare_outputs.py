#!/usr/bin/env python3
"""Compares two folders written by hiring_outputs.sh: every file byte for byte, except that in
JSON files the `provenance` objects (paths and digests of the inputs) and the wall-clock
timings (keys `seconds` and `*_seconds`) are left out. Prints each difference and exits 1 when
there is one."""
import json, os, sys

def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items()
                if k != "provenance" and k != "seconds" and not k.endswith("_seconds")}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v

def first_diff(a, b, path="$"):
    if type(a) is not type(b):
        return f"{path}: {a!r} vs {b!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: only in {'after' if k in b else 'before'}"
            d = first_diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} vs {b!r}"

before, after = sys.argv[1], sys.argv[2]
names = sorted(set(os.listdir(before)) | set(os.listdir(after)))
bad = 0
for n in names:
    pa, pb = os.path.join(before, n), os.path.join(after, n)
    if not (os.path.exists(pa) and os.path.exists(pb)):
        print(f"{n}: only in {'after' if os.path.exists(pb) else 'before'}"); bad += 1; continue
    if n.endswith(".json"):
        d = first_diff(strip(json.load(open(pa))), strip(json.load(open(pb))))
        if d:
            print(f"{n}: {d}"); bad += 1
    elif open(pa, "rb").read() != open(pb, "rb").read():
        print(f"{n}: bytes differ"); bad += 1
print(f"{len(names)} files, {bad} differ")
sys.exit(1 if bad else 0)
