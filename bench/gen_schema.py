#!/usr/bin/env python3
"""Write a generated schema of N models (default 500) to stdout, for timing
`corm gen` and `corm diff` (scripts/bench). Each model has a key, eight
columns of assorted types, a unique and an index, and up to two relations
to earlier models; every tenth declares an enum. With --changed, every
fifth model gains a column and every seventh loses its index, so that
`corm diff FROM TO` has work to do."""
import sys

n = 500
changed = False
for a in sys.argv[1:]:
    if a == "--changed":
        changed = True
    else:
        n = int(a)

out = ["// %d generated models (bench/gen_schema.py)%s" % (n, ", changed" if changed else "")]
for i in range(n):
    if i % 10 == 0:
        out.append("enum Kind%d { alpha beta gamma delta }" % i)
    out.append("model M%d {" % i)
    out.append("    id        i64          @id @auto")
    out.append("    code      string(40)   @unique")
    out.append("    title     string(200)")
    out.append("    body      text?")
    out.append("    amount    decimal(12,2) @default(0)")
    out.append("    ratio     f64          @default(1.5)")
    out.append("    active    bool         @default(true)")
    out.append("    created   timestamp    @default(now)")
    out.append("    kind      Kind%d       @default(alpha)" % (i - i % 10))
    if i >= 1:
        out.append("    parent    M%d?         @on_delete(set_null)" % (i - 1))
    if i >= 7:
        out.append("    owner     M%d          @on_delete(cascade)" % (i - 7))
    if changed and i % 5 == 0:
        out.append("    extra     i32?")
    if not (changed and i % 7 == 0):
        out.append("    @@index([title])")
    out.append("    @@map(\"gen_m%d\")" % i)
    out.append("}")
print("\n".join(out))
