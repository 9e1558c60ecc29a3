"""Writes the corpus of awkward files and expected.json. Run once; the output is committed.

Usage: .venv/bin/python tests/corpus/build.py
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
EXPECTED: dict[str, dict] = {}


def write(name: str, content: str | bytes, expect: dict, encoding: str = "utf-8") -> None:
    path = FILES / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    EXPECTED[name] = expect


def ok(rows, first, last, target, date_col="date", freq="", report=(), args=()) -> dict:
    """The series inspect should describe; freq "" is not checked, None means no frequency."""
    expected = {
        "rows": rows,
        "first_value": first,
        "last_value": last,
        "target": target,
        "date_col": date_col,
        "report": list(report),
        "args": list(args),
    }
    return expected if freq == "" else {**expected, "freq": freq}


def refused(words: str, args=()) -> dict:
    return {"error": words, "args": list(args)}


def lines(rows) -> str:
    return "\n".join(rows) + "\n"


def days(n: int, start: str = "2024-01-01") -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="D")


def main() -> None:
    FILES.mkdir(exist_ok=True)
    d = days(30)
    vals = [round(10 + i * 0.5, 1) for i in range(30)]
    iso = [f"{t:%Y-%m-%d},{v}" for t, v in zip(d, vals, strict=True)]

    # encodings and delimiters
    write(
        "utf8_bom.csv",
        "\ufeff" + lines(["date,sales", *iso]),
        ok(30, 10.0, 24.5, "sales", freq="D"),
    )
    write(
        "utf16_tab.txt",
        lines(["date\tsales", *[r.replace(",", "\t") for r in iso]]).encode("utf-16"),
        ok(30, 10.0, 24.5, "sales", freq="D"),
    )
    write(
        "cp1252_semicolon.csv",
        lines(
            [
                "Datum;Température",
                *[f"{t:%Y-%m-%d};{v}".replace(".", ",") for t, v in zip(d, vals, strict=True)],
            ]
        ),
        ok(30, 10.0, 24.5, "Température", date_col="Datum", freq="D"),
        encoding="cp1252",
    )
    write(
        "decimal_comma_thousands_dot.csv",
        lines(
            [
                "date;revenue",
                *[
                    f"{t:%Y-%m-%d};" + f"{(1000 + i) * 1000 + i:,}".replace(",", ".") + ",5"
                    for i, t in enumerate(d)
                ],
            ]
        ),
        ok(30, 1000000.5, 1029029.5, "revenue", freq="D"),
    )
    write(
        "tab.tsv",
        lines(["date\tvalue", *[r.replace(",", "\t") for r in iso]]),
        ok(30, 10.0, 24.5, "value", freq="D"),
    )
    write(
        "pipe.csv",
        lines(["date|value", *[r.replace(",", "|") for r in iso]]),
        ok(30, 10.0, 24.5, "value", freq="D"),
    )
    write(
        "thousands_comma_quoted.csv",
        lines(["date,units", *[f'{t:%Y-%m-%d},"{1000 + 100 * i:,}.25"' for i, t in enumerate(d)]]),
        ok(30, 1000.25, 3900.25, "units", freq="D"),
    )
    write(
        "currency.csv",
        lines(["date,price", *[f"{t:%Y-%m-%d},${5 + i}.99" for i, t in enumerate(d)]]),
        ok(30, 5.99, 34.99, "price", freq="D"),
    )
    write(
        "percent.csv",
        lines(["date,rate", *[f"{t:%Y-%m-%d},{1 + i / 10:.1f}%" for i, t in enumerate(d)]]),
        ok(30, 1.0, 3.9, "rate", freq="D"),
    )
    write(
        "quoted_newlines.csv",
        lines(
            [
                "date,comment,value",
                *[f'{t:%Y-%m-%d},"line one\nline two",{v}' for t, v in zip(d, vals, strict=True)],
            ]
        ),
        ok(30, 10.0, 24.5, "value", freq="D"),
    )
    write(
        "cr_only.csv", "\r".join(["date,value", *iso]) + "\r", ok(30, 10.0, 24.5, "value", freq="D")
    )
    write(
        "trailing_empty.csv",
        lines(["date,value,,", *[r + ",," for r in iso], ",,,", ",,,"]),
        ok(30, 10.0, 24.5, "value", freq="D"),
    )
    write(
        "pandas_index.csv",
        lines([",date,value", *[f"{i},{r}" for i, r in enumerate(iso)]]),
        ok(30, 10.0, 24.5, "value", freq="D"),
    )
    write(
        "duplicate_columns.csv",
        lines(["date,sales,sales", *[f"{r},{i}" for i, r in enumerate(iso)]]),
        ok(30, 10.0, 24.5, "sales", freq="D"),
    )
    weeks = pd.date_range("2023-01-01", periods=52, freq="W-SUN")
    write(
        "google_trends.csv",
        lines(
            [
                "Category: All categories",
                "",
                "Week,python: (Worldwide)",
                *[f"{t:%Y-%m-%d},{40 + i % 9}" for i, t in enumerate(weeks)],
            ]
        ),
        ok(52, 40.0, 46.0, "python: (Worldwide)", date_col="Week", freq="W-SUN"),
    )

    # spreadsheets and things that are not tables
    excel = io.BytesIO()
    pd.DataFrame({"date": d, "sales": vals}).to_excel(excel, index=False, sheet_name="Data")
    write("sales.xlsx", excel.getvalue(), ok(30, 10.0, 24.5, "sales", freq="D"))
    write("excel_named_csv.csv", excel.getvalue(), ok(30, 10.0, 24.5, "sales", freq="D"))
    write(
        "image.csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        refused("not a text table"),
    )
    write("empty.csv", b"", refused("is empty"))
    write("header_only.csv", "date,value\n", refused("no data rows"))

    # dates
    zoned = [f"{t:%Y-%m-%d}T00:00:00+01:00,{v}" for t, v in zip(d, vals, strict=True)]
    write(
        "iso_with_zone.csv",
        lines(["time,load", *zoned]),
        ok(30, 10.0, 24.5, "load", date_col="time", freq="D", report=["UTC+01:00"]),
    )
    write(
        "day_first.csv",
        lines(["date,value", *[f"{t:%d/%m/%Y},{v}" for t, v in zip(d, vals, strict=True)]]),
        ok(30, 10.0, 24.5, "value", freq="D"),
    )
    write(
        "month_first.csv",
        lines(["date,value", *[f"{t:%m/%d/%Y},{v}" for t, v in zip(d, vals, strict=True)]]),
        ok(30, 10.0, 24.5, "value", freq="D"),
    )
    months = pd.date_range("2020-01-01", periods=12, freq="MS")
    write(
        "ambiguous_dates.csv",
        lines(["date,value", *[f"{t:%d/%m/%Y},{i}" for i, t in enumerate(months)]]),
        ok(12, 0.0, 11.0, "value", report=["day-first or month-first"]),
    )
    write(
        "year_month.csv",
        lines(
            [
                "month,passengers",
                *[
                    f"{t:%Y-%m},{100 + i}"
                    for i, t in enumerate(pd.date_range("1949-01-01", periods=24, freq="MS"))
                ],
            ]
        ),
        ok(24, 100.0, 123.0, "passengers", date_col="month", freq="MS"),
    )
    write(
        "quarters.csv",
        lines(["quarter,gdp", *[f"{2015 + i // 4}Q{i % 4 + 1},{500 + i}" for i in range(20)]]),
        ok(20, 500.0, 519.0, "gdp", date_col="quarter", freq="QS-JAN"),
    )
    hours = pd.date_range("2024-03-01", periods=48, freq="h")
    write(
        "epoch_seconds.csv",
        lines(["timestamp,kw", *[f"{int(t.timestamp())},{i % 24}" for i, t in enumerate(hours)]]),
        ok(48, 0.0, 23.0, "kw", date_col="timestamp", freq="h"),
    )
    write(
        "epoch_millis.csv",
        lines(["ts,kw", *[f"{int(t.timestamp()) * 1000},{i % 24}" for i, t in enumerate(hours)]]),
        ok(48, 0.0, 23.0, "kw", date_col="ts", freq="h"),
    )
    write(
        "ymd_integers.csv",
        lines(["date,value", *[f"{t:%Y%m%d},{v}" for t, v in zip(d, vals, strict=True)]]),
        ok(30, 10.0, 24.5, "value", freq="D"),
    )
    write(
        "years.csv",
        lines(["year,volume", *[f"{1871 + i},{1000 + i}" for i in range(30)]]),
        ok(30, 1000.0, 1029.0, "volume", date_col="year", freq="YS-JAN"),
    )
    write(
        "no_dates.csv",
        lines(["reading", *[str(v) for v in vals]]),
        ok(30, 10.0, 24.5, "reading", date_col=None, freq=None),
    )
    rng = np.random.default_rng(3)
    scattered = sorted(
        pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 2000, 30), unit="h")
    )
    write(
        "irregular_dates.csv",
        lines(["date,value", *[f"{t:%Y-%m-%d %H:%M},{i}" for i, t in enumerate(scattered)]]),
        refused("dates"),
    )

    # values
    tokens = ["", "NA", "N/A", "null", "-", "?", "#N/A", "None"]
    write(
        "missing_tokens.csv",
        lines(
            [
                "date,value",
                *[
                    f"{t:%Y-%m-%d},{tokens[i % 8] if i % 3 == 1 else v}"
                    for i, (t, v) in enumerate(zip(d, vals, strict=True))
                ],
            ]
        ),
        ok(30, 10.0, 24.5, "value", freq="D", report=["interpolat"]),
    )
    write(
        "non_numeric_cells.csv",
        lines(
            [
                "date,value",
                *[
                    f"{t:%Y-%m-%d},{'twelve' if i == 4 else v}"
                    for i, (t, v) in enumerate(zip(d, vals, strict=True))
                ],
            ]
        ),
        ok(30, 10.0, 24.5, "value", freq="D", report=["'twelve'"]),
    )
    write(
        "infinities.csv",
        lines(
            [
                "date,value",
                *[
                    f"{t:%Y-%m-%d},{'inf' if i == 3 else '1e300' if i == 5 else v}"
                    for i, (t, v) in enumerate(zip(d, vals, strict=True))
                ],
            ]
        ),
        ok(30, 10.0, 24.5, "value", freq="D", report=["infinite"]),
    )
    write(
        "formulas.csv",
        lines(
            [
                "date,value",
                *[
                    f"{t:%Y-%m-%d},{'=SUM(A1:A3)' if i == 2 else '@cmd' if i == 6 else v}"
                    for i, (t, v) in enumerate(zip(d, vals, strict=True))
                ],
            ]
        ),
        ok(30, 10.0, 24.5, "value", freq="D", report=["formula"]),
    )
    write(
        "negatives_and_zeros.csv",
        lines(
            [
                "date,temperature",
                *[f"{t:%Y-%m-%d},{[-3.5, 0, -0.5, 2][i % 4]}" for i, t in enumerate(d)],
            ]
        ),
        ok(30, -3.5, 0.0, "temperature", freq="D"),
    )
    write(
        "constant.csv",
        lines(["date,value", *[f"{t:%Y-%m-%d},7" for t in d]]),
        ok(30, 7.0, 7.0, "value", freq="D"),
    )
    write(
        "empty_column.csv",
        lines(["date,notes,value", *[f"{t:%Y-%m-%d},,{v}" for t, v in zip(d, vals, strict=True)]]),
        ok(30, 10.0, 24.5, "value", freq="D", report=["empty"]),
    )
    write(
        "html_header.csv",
        lines(["date,<b>sales</b>", *iso]),
        ok(30, 10.0, 24.5, "<b>sales</b>", freq="D"),
    )
    write(
        "text_only.csv",
        lines(["name,colour", *[f"item{i},red" for i in range(20)]]),
        refused("No column of numbers"),
    )
    write("too_short.csv", lines(["date,value", *iso[:5]]), refused("at least 10"))

    # time structure
    shuffled = list(iso)
    np.random.default_rng(1).shuffle(shuffled)
    write(
        "unsorted.csv",
        lines(["date,value", *shuffled]),
        ok(30, 10.0, 24.5, "value", freq="D", report=["sorted"]),
    )
    write(
        "duplicate_timestamps.csv",
        lines(["date,value", *iso[:10], iso[9].replace("14.5", "16.5"), *iso[10:]]),
        ok(30, 10.0, 24.5, "value", freq="D", report=["more than once"]),
    )
    write(
        "gaps.csv",
        lines(["date,value", *iso[:10], *iso[15:]]),
        ok(30, 10.0, 24.5, "value", freq="D", report=["5 missing timestamps"]),
    )
    stores = [
        f"{t:%Y-%m-%d},{s},{v + (100 if s == 'B' else 0)}"
        for t, v in zip(d, vals, strict=True)
        for s in ("A", "B")
    ]
    write(
        "long_format.csv",
        lines(["date,store,sales", *stores]),
        ok(30, 110.0, 124.5, "sales", freq="D", args=["--group-col", "store", "--group", "B"]),
    )
    write(
        "long_format_all_groups.csv",
        lines(["date,store,sales", *stores]),
        ok(
            30,
            120.0,
            149.0,
            "sales",
            freq="D",
            report=["store"],
            args=["--group-col", "store", "--aggregate", "sum"],
        ),
    )
    wide = pd.DataFrame(
        np.round(np.random.default_rng(2).normal(size=(40, 1000)), 3),
        columns=[f"sensor_{i}" for i in range(1000)],
    )
    wide.insert(0, "date", [f"{t:%Y-%m-%d}" for t in days(40)])
    write(
        "wide_1000_columns.csv",
        wide.to_csv(index=False),
        ok(
            40,
            float(wide["sensor_7"].iloc[0]),
            float(wide["sensor_7"].iloc[-1]),
            "sensor_7",
            freq="D",
            args=["--target", "sensor_7"],
        ),
    )

    (HERE / "expected.json").write_text(json.dumps(EXPECTED, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(EXPECTED)} files")


if __name__ == "__main__":
    main()
