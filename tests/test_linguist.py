"""spaCy worker processes: large calls are spread over them and give what the in-process pipeline gives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from service.nlp.linguist import SPREAD_MIN_TEXTS, Linguist, shared_linguist

SENTENCES = [
    "Officials said 12 people were killed when the bridge collapsed in Genoa on Tuesday.",
    "The company will pay $4.5 million to settle the lawsuit, its lawyer said on Friday.",
    "About 300 firefighters fought the blaze near Los Angeles for three days.",
    "Prime Minister Theresa May did not comment on the vote, which passed 312 to 308.",
    "The 32-year-old striker scored twice as Chelsea beat Arsenal 3-1 at Stamford Bridge yesterday.",
    "More than 40 percent of voters in Ohio backed the measure, according to the election board.",
]
TEXTS = (SENTENCES * (2 * SPREAD_MIN_TEXTS // len(SENTENCES) + 1))[: 2 * SPREAD_MIN_TEXTS]
DAYS = [date(2018, 8, 15) if (k // len(SENTENCES)) % 2 else None for k in range(len(TEXTS))]


@pytest.fixture(scope="module")
def spread() -> Iterator[Linguist]:
    linguist = Linguist(processes=2)
    yield linguist
    linguist.close()


def test_workers_give_the_same_facts_and_entities(spread: Linguist) -> None:
    local = shared_linguist()
    assert local.processes == 0
    facts = spread.facts(TEXTS, DAYS)
    assert facts == local.facts(TEXTS, DAYS)
    assert spread.entities(TEXTS) == local.entities(TEXTS)
    # Relative dates resolved against each sentence's own article date, in order.
    yesterday = [f for f, text, day in zip(facts, TEXTS, DAYS, strict=True) if "yesterday" in text and day]
    assert yesterday and all(d.mention.resolved == date(2018, 8, 14) for f in yesterday for d in f.dates)
    killed = facts[0].quantities
    assert [q.value.figure for q in killed if q.value] == [12]


def test_calls_are_spread_over_the_worker_processes(spread: Linguist) -> None:
    assert spread._pool is not None
    pids = set(spread._pool.map(_pid, range(8)))
    assert len(pids) >= 1 and os.getpid() not in pids


def _pid(_: int) -> int:
    return os.getpid()


def test_a_lost_worker_falls_back_to_this_process() -> None:
    linguist = Linguist(processes=2)
    try:
        assert linguist._pool is not None
        for pid in set(linguist._pool.map(_pid, range(4))):
            os.kill(pid, signal.SIGKILL)
        facts = linguist.facts(TEXTS, DAYS)
        assert linguist.processes == 0 and linguist._pool is None
        assert facts == shared_linguist().facts(TEXTS, DAYS)
    finally:
        linguist.close()


def test_mismatched_dates_are_refused(spread: Linguist) -> None:
    with pytest.raises(ValueError, match="texts for"):
        spread.facts(TEXTS, DAYS[:-1])


def _children(pid: int) -> set[int]:
    """Processes whose parent is ``pid``, from /proc."""
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:  # the process ended while we looked
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.add(int(status.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the process table from /proc")
def test_workers_end_when_their_parent_is_killed() -> None:
    # A CLI run killed outright (SIGKILL, the OOM killer) cannot shut its pool down: its workers must not
    # live on as orphans holding a spaCy pipeline each.
    script = (
        "import sys, time\n"
        "from service.nlp.linguist import Linguist\n"
        "linguist = Linguist(processes=2)\n"
        f"linguist.entities({TEXTS!r})\n"
        "print('ready', flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "ready"
        workers = _children(parent.pid)
        assert len(workers) >= 2
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if _alive(pid)]
    finally:
        parent.kill()
