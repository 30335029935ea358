// Quick exit, as GOV.UK's "Exit this page" does it: a button, or Shift pressed three times
// within five seconds. It wipes the page and sessionStorage, then goes to a neutral site with
// location.replace so Back does not return to the chat.
const PRESSES = 3;
const WINDOW_MS = 5000;
const FALLBACK_URL = "https://www.bbc.co.uk/weather";

function neutralUrl(url) {
  return typeof url === "string" && /^https?:\/\/[^\s]+$/i.test(url) ? url : FALLBACK_URL;
}

/** Leave now: clear everything the chat left in this tab, then replace the page. */
export function quickExit(url, beforeLeaving) {
  const target = neutralUrl(url);
  try {
    beforeLeaving?.();
  } catch {
    // Leaving matters more than tidying up.
  }
  try {
    sessionStorage.clear();
  } catch {
    // Storage may be blocked (e.g. third-party iframe): nothing was kept then.
  }
  document.title = "";
  document.body.replaceChildren();
  if (window.top !== window.self) {
    // Inside /widget.js's iframe: the embedding page leaves too (widget.js listens).
    window.parent.postMessage({ type: "support-chat:exit", url: target }, "*");
    try {
      window.top.location.replace(target);
      return;
    } catch {
      // Cross-origin top navigation refused: at least this frame leaves.
    }
  }
  window.location.replace(target);
}

/**
 * Calls `onExit` when Shift is pressed on its own three times within five seconds, and
 * `onProgress(remaining)` after each press (0 when the count resets).
 */
export function watchShift(onExit, onProgress = () => {}) {
  let presses = [];
  let alone = false;
  let timer = 0;
  const reset = () => {
    if (presses.length) onProgress(0);
    presses = [];
  };
  document.addEventListener(
    "keydown",
    (event) => {
      if (event.key === "Shift") {
        if (!event.repeat) alone = true;
      } else {
        // Shift used to type a capital letter (or any other key between) does not count.
        alone = false;
        reset();
      }
    },
    true,
  );
  document.addEventListener(
    "keyup",
    (event) => {
      if (event.key !== "Shift" || !alone) return;
      alone = false;
      const now = Date.now();
      presses = presses.filter((t) => now - t < WINDOW_MS).concat(now);
      clearTimeout(timer);
      if (presses.length >= PRESSES) {
        presses = [];
        onExit();
        return;
      }
      onProgress(PRESSES - presses.length);
      timer = setTimeout(reset, WINDOW_MS);
    },
    true,
  );
}
