"""Builders of small workbooks in the publishers' documented layouts (for tests; never real data).

The UN DESA 2024 origin x destination workbook is not in the verified mirror, so tests build
a tiny one in its documented layout (``Table 1``, header on Excel row 11, index, destination,
notes, destination code, type of data, origin, origin code, then 3 x 8 year columns).
"""

from __future__ import annotations

OD24_YEARS = [1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024]
OD24_HEADER = ["Index", "Region, development group, country or area of destination", "Notes of destination",
               "Location code of destination", "Type of data of destination",
               "Region, development group, country or area of origin", "Location code of origin"]


def write_od2024_xlsx(path, header=None, years=None, rows=None):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Table of contents"
    ws = wb.create_sheet("Table 1")
    ws.cell(row=2, column=8, value="International Migrant Stock 2024: Destination and origin")
    for k, title in enumerate(("International migrant stock at mid-year, both sexes combined",
                               "International migrant stock at mid-year, males",
                               "International migrant stock at mid-year, females")):
        ws.cell(row=8, column=8 + 8 * k, value=title)
    labels = (header or OD24_HEADER) + (years or OD24_YEARS) * 3
    for j, label in enumerate(labels, start=1):
        ws.cell(row=11, column=j, value=label)
    default = [
        (1, "World", None, 900, None, "World", 900, list(range(100, 108)) * 3),
        (2, "AFRICA", None, None, None, None, None, [None] * 24),
        (3, "Belarus", None, 112, "B", "OTHER", 2003, [5, 6, 7, 8, 9, 10, 11, 12] * 3),
        (4, "Belarus", None, 112, "B", "Russian Federation", 643, [0, ".."] + [None] * 6 + [3] * 8 + [4] * 8),
        (5, "Germany*", 9, 276, "B R", "Belarus", 112, [50, 51, 52, 53, 54, 55, 56, 57] + [20] * 8 + [30] * 8),
    ]
    for i, (idx, dname, note, dcode, dtype, oname, ocode, values) in enumerate(rows or default, start=12):
        for j, value in enumerate([idx, dname, note, dcode, dtype, oname, ocode] + values, start=1):
            ws.cell(row=i, column=j, value=value)
    wb.save(path)
