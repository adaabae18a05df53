"""Write team-sheet.xlsx and team-sheet.ods from team-sheet.csv, typed as a team's shared
sheet would be: references as text ("007"), coordinates and deaths as numbers, the time as
a date-time cell. Run from the repository root:

    .venv/bin/python tests/data/tables/team/make_workbooks.py
"""

from pathlib import Path

import pandas as pd
import pyogrio

HERE = Path(__file__).parent


def main() -> None:
    frame = pd.read_csv(HERE / "team-sheet.csv", dtype=str, keep_default_na=False)
    for name in ("Lat", "Lon"):
        frame[name] = frame[name].astype(float)
    frame["Killed"] = pd.to_numeric(frame["Killed"]).astype("Int64")
    frame["When"] = pd.to_datetime(frame["When"], format="ISO8601")
    for suffix, driver in ((".xlsx", "XLSX"), (".ods", "ODS")):
        target = HERE / f"team-sheet{suffix}"
        target.unlink(missing_ok=True)
        pyogrio.write_dataframe(frame, target, driver=driver, layer="Events")


if __name__ == "__main__":
    main()
