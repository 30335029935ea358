// The chat widget: sends what the young person types to /api/chat and shows the typed replies.
// The conversation id lives in sessionStorage only (gone when the tab closes); no cookies.
import { crisisFirst, describe, el, renderMessage } from "./render.js";
import { quickExit, watchShift } from "./exit.js";
import { say } from "./words.js";

const KEY = "support-chat-id";
const TIMEOUT_MS = 20000;

const $ = (id) => document.getElementById(id);
const body = document.body;
const log = $("log");
const form = $("composer");
const dock = $("dock");
const input = $("text");
const typing = $("typing");
const announcer = $("announce");
const status = $("status");
const exitHint = $("exit-hint");
const greeting = $("greeting").cloneNode(true);
const embedded = body.classList.contains("embed") && window.top !== window.self;
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

let memoryId = null; // when sessionStorage is blocked
let queue = Promise.resolve();
let generation = 0; // bumps on Start again / exit so late replies are dropped
let inFlight = null;

function newId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function conversationId() {
  try {
    let id = sessionStorage.getItem(KEY);
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      id = newId();
      sessionStorage.setItem(KEY, id);
    }
    return id;
  } catch {
    memoryId = memoryId || newId();
    return memoryId;
  }
}

function forgetConversation() {
  memoryId = null;
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
}

function announce(text) {
  if (!text) return;
  // Keep the live region short: old announcements have been read already.
  while (announcer.childElementCount >= 4) announcer.firstElementChild.remove();
  announcer.append(el("p", null, text));
}

function scrollToShow(node, block) {
  node.scrollIntoView({ block, behavior: reducedMotion.matches ? "auto" : "smooth" });
}

function showDegraded(degraded) {
  status.hidden = !degraded;
  status.textContent = degraded ? say("degraded") : "";
}

/** What to show when the chat cannot be reached at all: the server-rendered crisis contacts. */
function unreachable() {
  const item = el("li", "msg bot way-out");
  item.append(el("p", "text", say("unreachable")));
  const list = document.querySelector("#no-js-help .help-list");
  if (list) item.append(list.cloneNode(true));
  return item;
}

function staleChoices() {
  for (const group of log.querySelectorAll(".choices")) group.remove();
}

async function turn(text, shownAs, viaKeyboardChoice) {
  const mine = el("li", "msg user");
  mine.append(el("p", "text", shownAs || text));
  staleChoices();
  log.append(mine);
  if (viaKeyboardChoice) {
    // The pressed button is gone; keep keyboard focus in the conversation, just before the reply.
    mine.tabIndex = -1;
    mine.focus({ preventScroll: true });
  }
  scrollToShow(mine, "nearest");

  const myGeneration = generation;
  const controller = new AbortController();
  inFlight = controller;
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  typing.hidden = false;
  log.setAttribute("aria-busy", "true");
  let items = [];
  let spoken = [];
  try {
    const reply = await fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ conversation_id: conversationId(), text }),
      signal: controller.signal,
      credentials: "omit",
      cache: "no-store",
    });
    if (!reply.ok) throw new Error(`chat answered ${reply.status}`);
    const answer = await reply.json();
    if (myGeneration !== generation) return;
    showDegraded(answer.degraded === true);
    for (const message of crisisFirst(answer.messages)) {
      const item = renderMessage(message);
      if (!item) continue;
      items.push(item);
      spoken.push(describe(message));
    }
    if (!items.length) throw new Error("empty reply");
  } catch {
    if (myGeneration !== generation) return;
    showDegraded(true);
    items = [unreachable()];
    spoken = [say("unreachable_spoken")];
  } finally {
    clearTimeout(timer);
    if (inFlight === controller) inFlight = null;
    if (myGeneration === generation) {
      typing.hidden = true;
      log.removeAttribute("aria-busy");
    }
  }
  log.append(...items);
  for (const text of spoken) announce(text);
  scrollToShow(items[0], "start");
}

function send(text, shownAs, viaKeyboardChoice = false) {
  // One turn at a time; a message queued before Start again or exit is dropped with the rest.
  const sentIn = generation;
  queue = queue
    .then(() => (sentIn === generation ? turn(text, shownAs, viaKeyboardChoice) : undefined))
    .catch(() => {});
  return queue;
}

function startAgain() {
  generation += 1;
  inFlight?.abort();
  queue = Promise.resolve();
  forgetConversation();
  showDegraded(false);
  typing.hidden = true;
  log.removeAttribute("aria-busy");
  log.replaceChildren(greeting.cloneNode(true));
  for (const group of log.querySelectorAll(".choices")) group.hidden = false;
  announcer.replaceChildren();
  announce(say("started_again"));
  input.value = "";
  input.focus();
}

function leave() {
  quickExit(body.dataset.exitUrl, () => {
    generation += 1;
    inFlight?.abort();
    forgetConversation();
    log.replaceChildren();
    input.value = "";
  });
}

// Measure the sticky header and message box so focused things scroll clear of them (WCAG 2.4.11).
function trackStickyParts() {
  const root = document.documentElement.style;
  const top = $("top");
  const set = () => {
    root.setProperty("--top-h", `${top.offsetHeight}px`);
    root.setProperty("--bottom-h", `${dock.offsetHeight}px`);
  };
  set();
  if ("ResizeObserver" in window) {
    const watcher = new ResizeObserver(set);
    watcher.observe(top);
    watcher.observe(dock);
  }
}

document.documentElement.classList.replace("no-js", "js");
form.hidden = false;
$("restart").hidden = false;
for (const group of log.querySelectorAll(".choices")) group.hidden = false;
trackStickyParts();

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  send(text.slice(0, 1000));
});

log.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-payload]");
  if (!button || !log.contains(button)) return;
  // detail is 0 when the button was pressed with the keyboard.
  send(button.dataset.payload, button.textContent, event.detail === 0);
});

// The crisis card a feedback form got back (feedback.js): shown and read out like a reply.
document.addEventListener("support-chat:show", (event) => {
  const items = [];
  for (const message of crisisFirst(event.detail?.messages)) {
    const item = renderMessage(message);
    if (!item) continue;
    items.push(item);
    announce(describe(message));
  }
  if (!items.length) return;
  log.append(...items);
  items[0].tabIndex = -1;
  items[0].focus({ preventScroll: true });
  scrollToShow(items[0], "start");
});

$("restart").addEventListener("click", startAgain);
$("quick-exit").addEventListener("click", (event) => {
  event.preventDefault();
  leave();
});
watchShift(leave, (remaining) => {
  const hint = remaining === 1 ? say("exit_hint_one") : say("exit_hint_many", { count: remaining });
  exitHint.textContent = remaining ? hint : "";
});

if (embedded) {
  const close = () => window.parent.postMessage({ type: "support-chat:close" }, "*");
  const closeButton = $("close");
  if (closeButton) {
    closeButton.hidden = false;
    closeButton.addEventListener("click", close);
  }
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  // Shift x3 pressed on the embedding page: wipe this frame's storage and leave with it.
  window.addEventListener("message", (event) => {
    if (event.source === window.parent && event.data?.type === "support-chat:exit-now") leave();
  });
}
