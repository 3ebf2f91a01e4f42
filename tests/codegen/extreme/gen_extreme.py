#!/usr/bin/env python3
"""Hostile and extreme schemas for `corm gen` (issue 13), from a seed.

Usage: gen_extreme.py SEED OUTDIR [--wide-only] [--fields N]

Writes into OUTDIR:
  wide.corm, wide_expect.c  model Wide: 500 fields of every type, every
                            extreme default, the longest names; the C file
                            sets the defaults the schema declares
                            (wide_expect_defaults) and other extreme
                            values (wide_expect_values), written here
                            independently of the emitter, for
                            test_extreme.c to compare against;
  many.corm                 150 models related to each other;
  random_N.corm             10 random schemas: random types, nullability,
                            defaults, keys, uniques, indexes, relations,
                            enums and hostile comments.
--fields N makes Wide N fields wide instead (MariaDB's InnoDB refuses a
row of 500 such columns: "Row size too large", its own limit). The same
seed gives the same files.
"""
import datetime
import os
import random
import sys

# ------------------------------------------------------------------ values

# Comment text that must not break a C comment or make a trigraph.
HOSTILE_COMMENTS = [
    "opens /* a C comment", "ends */ one", "/* both */", "a backslash \\",
    "trigraphs ??/ ??= ??' ??( ??) ??! ??< ??> ??-", "a lone *", "ends in /",
    "percent %s %d %n", "quote \" and ' and `", "non-ASCII: héllo ☃ 𝄞",
    "*/ /* */ /*", "line ends with ??/",
]

# Text values: quotes, backslashes, newlines, tabs, non-ASCII, %, SQL.
TEXTS = [
    "", "it's \"quoted\" \\ back\\slash", "line1\nline2\ttab\rcr",
    "héllo wörld ☃ 𝄞", "100% _under_ %s %d", "/* no comment */ ??/ ??= ??'",
    "'; DROP TABLE wide; --", " lead and trail ",
]
LONG_TEXT = ("long \"text\" \\ 100% é ??/ " * 200)[:5000]  # > 4,095 chars


def dsl_string(s):
    out = []
    for ch in s:
        out.append({'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t",
                    "\r": "\\r"}.get(ch, ch))
    return '"' + "".join(out) + '"'


def c_string(s):
    """A C literal of UTF-8 text; no trigraphs; octal for non-ASCII."""
    out, prev = [], ""
    for b in s.encode("utf-8"):
        ch = chr(b)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "?" and prev == "?":
            out.append("\\?")
        elif b < 0x20 or b >= 0x7F:
            out.append("\\%03o" % b)
        else:
            out.append(ch)
        prev = ch
    return '"' + "".join(out) + '"'


def c_str_value(s):
    """A corm_str of `s`; long text as a static array (no long literal)."""
    if len(s.encode("utf-8")) <= 4000:
        return "CORM_STR(%s)" % c_string(s)
    return "long_text()"


def usec_of(text):
    date, _, clock = text.partition(" ")
    y, mo, d = (int(x) for x in date.split("-"))
    hms, _, frac = clock.partition(".")
    h, mi, s = (int(x) for x in hms.split(":"))
    days = (datetime.date(y, mo, d) - datetime.date(1970, 1, 1)).days
    return ((days * 86400 + h * 3600 + mi * 60 + s) * 1000000
            + int((frac + "000000")[:6]))


def uuid_c(text):
    hexs = text.replace("-", "")
    return "(corm_uuid){{%s}}" % ", ".join(
        "0x" + hexs[i:i + 2] for i in range(0, 32, 2))


def time_c(text):
    hms, _, frac = text.partition(".")
    h, m, s = (int(x) for x in hms.split(":"))
    return "(corm_time){%d, %d, %d, %d}" % (h, m, s, int((frac + "000000")[:6]))


# Per type: (DSL type, [(DSL literal, C expression)] for defaults, and
# [C expressions] for explicit values). Every value must round-trip
# exactly on SQLite, PostgreSQL and MariaDB.
DEC38 = "9" * 28 + "." + "9" * 10
DEC65 = "9" * 35 + "." + "9" * 30
TYPES = {
    "i16": [("-32768", "INT16_MIN"), ("32767", "INT16_MAX"), ("0", "0")],
    "i32": [("-2147483648", "INT32_MIN"), ("2147483647", "INT32_MAX"),
            ("-1", "-1")],
    "i64": [("-9223372036854775808", "INT64_MIN"),
            ("9223372036854775807", "INT64_MAX"), ("1", "1")],
    "f32": [("3.4028234663852886e38", "FLT_MAX"),
            ("-3.4028234663852886e38", "-FLT_MAX"),
            ("1.1754943508222875e-38", "FLT_MIN"), ("-1.5", "-1.5f"),
            ("0.1", "(float)0.1")],
    "f64": [("1.7976931348623157e308", "DBL_MAX"),
            ("-1.7976931348623157e308", "-DBL_MAX"),
            ("2.2250738585072014e-308", "DBL_MIN"), ("0.1", "0.1"),
            ("-0.0000001", "-0.0000001")],
    "bool": [("true", "true"), ("false", "false")],
    "string(60)": [(dsl_string(t), c_str_value(t)) for t in TEXTS],
    "text": [(dsl_string(t), c_str_value(t)) for t in TEXTS + [LONG_TEXT]],
    "decimal(38, 10)": [(DEC38, c_str_value(DEC38)),
                        ("-" + DEC38, c_str_value("-" + DEC38)),
                        ("0.0000000001", c_str_value("0.0000000001"))],
    "decimal(65, 30)": [(DEC65, c_str_value(DEC65)),
                        ("-" + DEC65, c_str_value("-" + DEC65))],
    "date": [('"%s"' % d, "(corm_date){%d, %d, %d}" % tuple(
        int(x) for x in d.split("-")))
        for d in ("0001-01-01", "9999-12-31", "2000-02-29")],
    "time": [('"%s"' % t, time_c(t)) for t in ("00:00:00", "23:59:59.999999",
                                               "12:00:00.000001")],
    "timestamp": [('"%s"' % t, "(corm_timestamp){INT64_C(%d)}" % usec_of(t))
                  for t in ("1970-01-01 00:00:00",
                            "9999-12-31 23:59:59.999999",
                            "1000-01-01 00:00:00",
                            "2038-01-19 03:14:08.000001")] + [("now", None)],
    "uuid": [('"%s"' % u, uuid_c(u)) for u in (
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "123e4567-e89b-12d3-a456-426614174000")],
    "Mood": [("happy", "MOOD_HAPPY"), ("so_so", "MOOD_SO_SO"),
             ("the_very_last_mood", "MOOD_THE_VERY_LAST_MOOD")],
}
# Types without defaults: only NULL or an explicit value.
NO_DEFAULT = {
    "bytes": "(corm_bytes){all_bytes, sizeof(all_bytes)}",
    "json": 'CORM_STR("{\\"k\\": [1, 2.5, \\"x\\"]}")',
}
# Types an index can hold on every engine.
INDEXABLE = {"i16", "i32", "i64", "bool", "string(60)", "date", "time",
             "timestamp", "uuid", "Mood", "decimal(38, 10)"}
ENUM = "enum Mood { happy so_so the_very_last_mood }\n"

LONGEST = 63  # PostgreSQL's identifier limit, the smallest of the three


def wide(rng, nfields=500):
    """The 500-field model and the C that states its values."""
    lines = ["// %d fields: every type, every extreme default. Generated by" % nfields,
             "// tests/codegen/extreme/gen_extreme.py; do not edit.", ENUM,
             "/* A wide model: its INSERT, SELECT, UPDATE and upserts",
             " * are far longer than a C string literal may be. */",
             "model Wide {", "    id i64 @id @auto"]
    defaults, values, nows = [], [], []
    names = list(TYPES) + list(NO_DEFAULT)
    for i in range(nfields):
        typ = names[i % len(names)]
        if i == 7:
            name = ("f%03d_" % i) + "x" * (LONGEST - 5)  # the longest name
        elif i == 8:
            name = "select"  # an SQL keyword, not a C one
        else:
            name = "f%03d_%s" % (i, typ.split("(")[0].lower())
        if i == 10:  # NULL by default, so rows do not collide on it
            lines.append("    f010_unique i64? @unique")
            values.append("\trow->has_f010_unique = true;\n"
                          "\trow->f010_unique = INT64_MIN;")
            continue
        comment = ""
        if rng.random() < 0.1:
            comment = " // " + rng.choice(HOSTILE_COMMENTS)
        if typ in NO_DEFAULT:
            lines.append("    %s %s?%s" % (name, typ, comment))
            values.append("\trow->%s = %s;" % (name, NO_DEFAULT[typ]))
            continue
        pool = TYPES[typ]
        k = (i // len(names)) % len(pool)
        lit, cexpr = pool[k]
        explicit = [c for _, c in pool if c is not None and c != cexpr]
        nullable = i % 11 == 5
        attrs = "@default(%s)" % lit
        lines.append("    %s %s%s %s%s" % (name, typ, "?" if nullable else "",
                                           attrs, comment))
        has = "\trow->has_%s = true;\n" % name if nullable and typ not in (
            "text", "string(60)", "decimal(38, 10)",
            "decimal(65, 30)") else ""
        if cexpr is None:  # now: the harness checks it against the clock
            defaults.append("%s\trow->%s = init->%s;" % (has, name, name))
            nows.append("\tif (llabs(row->%s.usec - now.usec) > slack)\n"
                        "\t\treturn \"%s\";" % (name, name))
        else:
            defaults.append("%s\trow->%s = %s;" % (has, name, cexpr))
        values.append("%s\trow->%s = %s;" % (has, name,
                                             rng.choice(explicit)))
    lines += ["    @@index([f001_i32, f002_i64])", "}", ""]
    c = ["/* Generated by gen_extreme.py: the values of model Wide. */",
         "#include <float.h>", "#include <stdint.h>", "#include <stdlib.h>", "#include <string.h>", "",
         '#include "wide.h"', '#include "wide_expect.h"', "",
         "static unsigned char all_bytes[256];", "",
         "static corm_str long_text(void)", "{",
         "\tstatic const char text[] = {"]
    data = LONG_TEXT.encode("utf-8")
    for i in range(0, len(data), 8):
        c.append("\t\t" + " ".join("'\\%03o'," % b for b in data[i:i + 8]))
    c += ["\t\t0};", "", "\treturn (corm_str){text, sizeof(text) - 1};",
          "}", "",
          "void wide_expect_defaults(wide *row, const wide *init)", "{",
          "\tmemset(row, 0, sizeof(*row));", "\t(void)init;"] + defaults + [
          "}", "", "void wide_expect_values(wide *row)", "{",
          "\tsize_t i;", "", "\tfor (i = 0; i < sizeof(all_bytes); i++)",
          "\t\tall_bytes[i] = (unsigned char)i;",
          "\twide_init(row);"] + values + ["}", "",
          "const char *wide_expect_now(const wide *row, corm_timestamp now,",
          "\tint64_t slack)", "{"] + nows + ["\treturn NULL;", "}", ""]
    return "\n".join(lines), "\n".join(c)


def random_value(rng, typ):
    pool = [p for p in TYPES[typ] if p[1] is not None or rng.random() < 0.5]
    return rng.choice(pool)[0]


def random_schema(rng, nmodels, tag):
    out = ["// Random schema %s (gen_extreme.py)." % tag, ENUM]
    models = []
    for mi in range(nmodels):
        name = "M%s%d" % (tag, mi)
        if rng.random() < 0.2:
            out.append("// " + rng.choice(HOSTILE_COMMENTS))
            out.append("/* " + rng.choice(HOSTILE_COMMENTS).replace("*/", "")
                       + " */")
        out.append("model %s {" % name)
        keyname = rng.choice(["id", "key", "db", "out", "arena", "row", "b",
                              "q", "c", "delta", "n"])
        keytype = rng.choice(["i64 @id @auto", "i32 @id", "string(40) @id",
                              "uuid @id"])
        out.append("    %s %s" % (keyname, keytype))
        fields = []
        for fi in range(rng.randint(1, 40)):
            typ = rng.choice(list(TYPES) + list(NO_DEFAULT))
            fname = "f%d_%s" % (fi, rng.choice(["a", "key", "db", "value",
                                                 "select", "order"]))
            if rng.random() < 0.05:
                fname = ("f%d_" % fi) + "y" * (LONGEST - 4)
            line = "    %s %s" % (fname, typ)
            if typ in NO_DEFAULT or rng.random() < 0.3:
                line += "?"
            elif rng.random() < 0.7:
                line += " @default(%s)" % random_value(rng, typ)
            if typ in ("i32", "i64", "string(60)") and rng.random() < 0.1:
                line += rng.choice([" @unique", " @index"])
            if rng.random() < 0.1:
                line += ' @map("c%d_%s")' % (fi, rng.choice(
                    ["select", "order", "group", "user", "key"]))
            if rng.random() < 0.2:
                line += " // " + rng.choice(HOSTILE_COMMENTS)
            out.append(line)
            if typ in INDEXABLE:
                fields.append(fname)
        if models and rng.random() < 0.7:
            target = rng.choice(models)
            out.append("    rel_%d %s? @on_delete(%s)" % (
                mi, target, rng.choice(["cascade", "set_null", "restrict",
                                        "no_action"])))
        if len(fields) > 1 and rng.random() < 0.3:
            out.append("    @@%s([%s, %s])" % (
                rng.choice(["index", "unique"]), fields[0], fields[1]))
        out.append("}")
        out.append("")
        models.append(name)
    return "\n".join(out)


def main():
    seed, outdir = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(seed)
    os.makedirs(outdir, exist_ok=True)
    nfields = 500
    if "--fields" in sys.argv:
        nfields = int(sys.argv[sys.argv.index("--fields") + 1])
    corm, c = wide(rng, nfields)
    with open(os.path.join(outdir, "wide.corm"), "w") as f:
        f.write(corm)
    with open(os.path.join(outdir, "wide_expect.c"), "w") as f:
        f.write(c)
    if "--wide-only" in sys.argv:
        return
    with open(os.path.join(outdir, "many.corm"), "w") as f:
        f.write(random_schema(rng, 150, "many"))
    for k in range(10):
        with open(os.path.join(outdir, "random_%d.corm" % k), "w") as f:
            f.write(random_schema(rng, rng.randint(1, 12), "r%d_" % k))


if __name__ == "__main__":
    main()
