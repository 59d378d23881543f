"""`tandem demo-data` then `tandem match --dry-run --out` end to end, as an admin runs them.

    .venv/bin/python benchmarks/match_cli.py [--people 20000] [--database URL]

Each command runs in its own process (start-up, imports, load, solve, reasons in words,
CSV). In the same run, the baseline is the engine alone on the same synthetic population
(``propose_pairings`` in a fresh process, generation excluded), and `tandem --help`'s
start-up: the ratio says what the database, the words and the file add to the solve.
Aim (issue 5): a 20,000-people program matched end to end in <= 10 s.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 11
ENGINE = """
import time
from bot.matching import propose_pairings
from bot.matching.synthetic import synthetic_population
pop = synthetic_population({mentees}, {mentors}, seed={seed})
start = time.perf_counter()
result = propose_pairings(pop)
print(f"{{time.perf_counter() - start:.3f}} {{result.stats.served}}")
"""


def timed(*args: str, env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout


def main(people: int, url: str | None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="tandem-match-cli-"))
    url = url or f"sqlite+aiosqlite:///{folder}/bench.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TANDEM_", "SLACK_"))}
    env.update(TANDEM_DATABASE_URL=url, TANDEM_LOCALE="en", COLUMNS="120")
    tandem = (sys.executable, "-m", "bot.cli")
    timed(*tandem, "db", "upgrade", env=env)
    help_s, _ = timed(*tandem, "--help", env=env)
    data_s, _ = timed(*tandem, "demo-data", "--program", "bench", "--people", str(people),
                      "--seed", str(SEED), env=env)  # fmt: skip
    out = folder / "proposals.csv"
    match_s, report = timed(*tandem, "match", "--program", "bench", "--dry-run", "--out",
                            str(out), env=env)  # fmt: skip
    with out.open(encoding="utf-8") as handle:
        rows = sum(1 for _ in csv.DictReader(handle))
    mentees = people // 2
    probe = ENGINE.format(mentees=mentees, mentors=people - mentees, seed=SEED)
    _, engine = timed(sys.executable, "-c", probe, env=env)
    engine_s, served = engine.split()
    print(report.rstrip())
    print()
    print(f"people enrolled                 {people}")
    print(f"tandem --help                   {help_s:6.2f} s")
    print(f"tandem demo-data                {data_s:6.2f} s")
    print(f"tandem match --dry-run --out    {match_s:6.2f} s  ({rows} pairs in the CSV)")
    print(f"engine alone (same population)  {float(engine_s):6.2f} s  ({served} served)")
    print(f"match end to end / engine alone {match_s / float(engine_s):6.2f}x")
    print(f"aim: match end to end <= 10 s   {'met' if match_s <= 10 else 'not met'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--database", default=None, help="default: a new SQLite file")
    args = parser.parse_args()
    main(args.people, args.database)
