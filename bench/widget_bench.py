"""`make bench` (widget part): bytes transferred on the chat page's first load, and the time from
pressing Send to the reply being on screen, in Debian's chromium against the real stack on loopback.

Figures, not pass/fail (the browser tests hold the 100 KB budget).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from devkit.browser import first_load_bytes, launch, open_page  # noqa: E402
from devkit.stack import Stack, build_curated_directory  # noqa: E402

TURNS = 30
# A need, its two optional questions skipped (ends in a directory query), then small talk.
SCRIPT = ["I feel really lonely", "/skip_question", "/skip_question", "hiya", "thanks"]

# Press Send, then wait for a new bot message and the frame that paints it.
SEND_AND_WAIT = """async (text) => {
  const log = document.getElementById('log');
  const count = () => log.querySelectorAll(':scope > li.msg.bot').length;
  const before = count();
  document.getElementById('text').value = text;
  const started = performance.now();
  document.getElementById('composer').requestSubmit();
  await new Promise((resolve) => {
    const watcher = new MutationObserver(() => {
      if (count() > before) { watcher.disconnect(); resolve(); }
    });
    watcher.observe(log, {childList: true});
  });
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  return performance.now() - started;
}"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def send_to_reply(page: Page, url: str) -> list[float]:
    page.goto(url)
    page.wait_for_selector("#composer:not([hidden])")
    page.evaluate(SEND_AND_WAIT, "hiya")  # warm-up turn, not counted
    return [page.evaluate(SEND_AND_WAIT, SCRIPT[i % len(SCRIPT)]) for i in range(TURNS)]


def main() -> None:
    print("Chat widget (Debian's chromium, loopback)")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        stack = Stack(workdir=workdir, database_url=build_curated_directory(workdir / "dir.db"))
        stack.start()
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                try:
                    context, page, guard = open_page(browser, 375, 740)
                    total, sizes = first_load_bytes(page, f"{stack.api_url}/")
                    context.close()
                    print(
                        f"  first load, cache disabled                   {total / 1024:7.1f} KB"
                        f"   ({total} bytes, {len(sizes)} requests; budget 100 KB)"
                    )
                    for url, size in sorted(sizes.items(), key=lambda item: -item[1]):
                        print(f"    {size:7d} B  {url.removeprefix(stack.api_url)}")
                    context, page, guard = open_page(browser, 375, 740)
                    timings = send_to_reply(page, f"{stack.api_url}/")
                    context.close()
                    assert not guard.offsite, guard.offsite
                finally:
                    browser.close()
        finally:
            stack.stop_all()
    print(
        f"  send to reply shown ({TURNS} turns)              p50 {percentile(timings, 0.5):7.1f} ms"
        f"   p95 {percentile(timings, 0.95):7.1f} ms   (mean {statistics.fmean(timings):.1f} ms)"
    )


if __name__ == "__main__":
    main()
