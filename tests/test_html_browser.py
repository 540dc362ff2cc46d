"""The HTML report in a real browser: headless Chromium (Debian's ``chromium``).

The pages are made as a user makes them (``partnerfit batch --format html``), then
Chromium, in child processes with timeouts and a fresh profile each time:

- loads the case page and the index, and the test reads the DOM Chromium built:
  the verdict, a red flag's evidence and a hostile party name shown as text;
- logs every console message (``--enable-logging=stderr``): there must be none;
- records its network log (``--log-net-log``): the pages must request nothing. Host
  names resolve to nothing (``--host-resolver-rules``), so nothing leaves the
  machine even if a page did try; a control page that does try shows that both
  checks catch it;
- takes screenshots at desktop (1280 px) and phone (390 px) width: PNGs of those
  sizes, with nothing running off the right edge of the phone screen;
- prints the page to PDF.

Skipped only when Chromium is not installed outside CI; in CI (``CI`` set) a missing
browser fails the test (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from htmldom import Element, parse
from partnerfit.cli import main

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "tests" / "packs" / "core"
BROWSER_TIMEOUT = 60

SCRIPT = "<script>alert(1)</script>"
CASE = f"""\
id: clinic-deal
title: Two service firms for the same clinics
alliance:
  term_years: 12
parties:
  - id: a
    name: "{SCRIPT}"
    competitors: [Gamma]
    offerings: [{{category: services, segments: [dental clinics]}}]
    answers:
      vision: Every clinic books online, and no patient waits on the phone
      horizon_years: 5
  - id: b
    name: Beta Dental Services and Scheduling Systems Aktiengesellschaft
    competitors: [Gamma]
    offerings: [{{category: services, segments: [dental clinics]}}]
    answers:
      vision: Clinics run themselves
      mission: Less paperwork for dentists
"""

CONTROL = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>control</title></head>
<body><p>control</p><img src="http://images.example.invalid/x.png">
<script>console.error("control error")</script></body></html>
"""
"""A page that breaks both rules: it logs to the console and requests an image."""


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def chromium() -> str:
    found = _chromium()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed, and CI must run the browser test")
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    return found


class Browser:
    """Runs one headless Chromium per action, each with its own new profile."""

    def __init__(self, binary: str, work: Path) -> None:
        self.binary = binary
        self.work = work
        self.runs = 0

    def run(self, url: str, *action: str, width: int = 1280, height: int = 900) -> str:
        """Chromium's stderr (its log) after it loaded ``url`` and did ``action``."""
        self.runs += 1
        profile = self.work / f"profile-{self.runs}"
        args = [
            self.binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            "--enable-logging=stderr",
            "--v=0",
            *action,
            url,
        ]
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=BROWSER_TIMEOUT, stdin=subprocess.DEVNULL
        )
        assert done.returncode == 0, done.stderr[-2000:]
        self.stdout = done.stdout
        return done.stderr

    def load(self, page: Path) -> tuple[Element, list[str], list[str]]:
        """The DOM Chromium built for ``page``, its console messages and the URLs it asked for."""
        netlog = self.work / f"net-{self.runs + 1}.json"
        log = self.run(page.as_uri(), "--dump-dom", f"--log-net-log={netlog}")
        console = [line for line in log.splitlines() if ":CONSOLE" in line]
        return parse(self.stdout), console, page_requests(netlog)


def page_requests(netlog: Path) -> list[str]:
    """URLs a page asked the network for, from Chromium's net log.

    Chromium's own service requests (updates, time) have no initiator ("not an
    origin"); everything a page asks for names the page's origin as initiator.
    """
    data = json.loads(netlog.read_text(encoding="utf-8"))
    start = data["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return sorted(
        {
            e["params"]["url"]
            for e in data["events"]
            if e["type"] == start
            and "url" in e.get("params", {})
            and e["params"].get("initiator") != "not an origin"
        }
    )


def png_pixels(data: bytes) -> tuple[int, int, list[bytes], int]:
    """Width, height, rows of raw pixels and bytes per pixel of an 8-bit RGB(A) PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, bpp = 8, b"", 0, 0, 0
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert (depth, interlace) == (8, 0)
            bpp = {2: 3, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    i = 0
    for _ in range(height):
        kind_, line = raw[i], bytearray(raw[i + 1 : i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if kind_ == 1:
                line[x] = (line[x] + a) & 255
            elif kind_ == 2:
                line[x] = (line[x] + b) & 255
            elif kind_ == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind_ == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


def right_edge_colours(rows: Sequence[bytes], bpp: int, columns: int) -> set[bytes]:
    return {
        row[len(row) - k * bpp : len(row) - (k - 1) * bpp][:3]
        for row in rows
        for k in range(1, columns + 1)
    }


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("html")
    (work / "in").mkdir()
    (work / "in" / "clinic-deal.yaml").write_text(CASE, encoding="utf-8")
    out = work / "report"
    result = CliRunner().invoke(
        main,
        ["batch", str(work / "in"), "--rules", str(CORE), "--format", "html", "-o", str(out), "-q"],
    )
    assert result.exit_code == 1, result.output  # a high red flag
    assert sorted(p.name for p in out.iterdir()) == ["clinic-deal.html", "index.html"]
    return out


def test_the_report_in_a_real_browser(chromium: str, pages: Path, tmp_path: Path) -> None:
    browser = Browser(chromium, tmp_path)

    # The checks catch what they look for: a page that logs and loads.
    control = tmp_path / "control.html"
    control.write_text(CONTROL, encoding="utf-8")
    _, console, requests = browser.load(control)
    assert any('"control error"' in line for line in console), console
    assert requests == ["http://images.example.invalid/x.png"]

    # The case page: what it shows, and nothing logged or requested.
    dom, console, requests = browser.load(pages / "clinic-deal.html")
    assert (console, requests) == ([], [])
    assert dom.find_all("script") == []
    assert dom.find("h2").text() == "Verdict: proceed with conditions"
    assert dom.find("p", "reason").text() == (
        "1 high red flag: PF-TST-001 (Same category to the same segment)"
    )
    flag = dom.find("article", "red_flag")
    assert flag.find("h3").text() == "high Same category to the same segment"
    rows = [r.text() for r in flag.find("table", "evidence").find("tbody").find_all("tr")]
    assert rows == [
        f"parties[0].offerings[0].segments[0] line 9 ({SCRIPT}) dental clinics",
        "parties[1].offerings[0].segments[0] line 16 "
        "(Beta Dental Services and Scheduling Systems Aktiengesellschaft) dental clinics",
    ]
    assert (
        dom.find("p", "meta")
        .text()
        .endswith(
            f"between {SCRIPT} and Beta Dental Services and Scheduling Systems Aktiengesellschaft."
        )
    )

    # The index: a row per case linking to its page.
    index, console, requests = browser.load(pages / "index.html")
    assert (console, requests) == ([], [])
    assert [a.attrs["href"] for a in index.find_all("a")] == ["clinic-deal.html"]

    # Screenshots at desktop and phone width.
    for width, height in ((1280, 900), (390, 844)):
        shot = tmp_path / f"shot-{width}.png"
        browser.run(
            (pages / "clinic-deal.html").as_uri(),
            f"--screenshot={shot}",
            width=width,
            height=height,
        )
        w, h, rows_, bpp = png_pixels(shot.read_bytes())
        assert (w, h) == (width, height)
        # Nothing runs off the right edge: the last columns are the page's white.
        assert right_edge_colours(rows_, bpp, 4) == {b"\xff\xff\xff"}
        # and the page is not blank: the verdict banner and text are drawn
        assert len({row[i : i + 3] for row in rows_[::8] for i in range(0, len(row), bpp)}) > 20

    # Printed to PDF.
    pdf = tmp_path / "page.pdf"
    browser.run(
        (pages / "clinic-deal.html").as_uri(), f"--print-to-pdf={pdf}", "--no-pdf-header-footer"
    )
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages_in_pdf = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages_in_pdf >= 1
