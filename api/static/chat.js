// The chat page. Everything from the bot or the directory is rendered as text, never as HTML;
// links come only from structured fields and only with tel:, sms: or https:.
const KEY = "support-chat-id";
const SAFE_SCHEMES = ["tel:", "sms:", "https:"];

const log = document.getElementById("log");
const form = document.getElementById("composer");
const input = document.getElementById("text");
const typing = document.getElementById("typing");
const restart = document.getElementById("restart");

function conversationId() {
  let id = sessionStorage.getItem(KEY);
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    sessionStorage.setItem(KEY, id);
  }
  return id;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function safeLink(href, label) {
  if (typeof href !== "string" || !SAFE_SCHEMES.some((s) => href.startsWith(s))) return null;
  const a = el("a", null, label || href);
  a.href = href;
  if (href.startsWith("https:")) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
  return a;
}

function routesList(routes) {
  const ul = el("ul", "routes");
  for (const r of routes || []) {
    const a = safeLink(r.href, r.label);
    if (a) { const li = el("li"); li.append(a); ul.append(li); }
  }
  return ul;
}

function contactCard(c) {
  const card = el("div", "card");
  card.append(el("h3", null, c.name));
  if (c.description) card.append(el("p", null, c.description));
  card.append(routesList(c.routes));
  if (c.what_happens) card.append(el("p", "note", c.what_happens));
  return card;
}

function serviceCard(s) {
  const card = el("article", "card");
  card.append(el("h3", null, s.name));
  if (s.summary) card.append(el("p", null, s.summary));
  if (s.why && s.why.length) card.append(el("p", "note", "Why: " + s.why.join(", ")));
  card.append(routesList(s.how_to_contact));
  const facts = [s.open_now === true ? "Open now" : null, s.hours, s.ages].filter(Boolean);
  if (facts.length) card.append(el("p", "note", facts.join(" · ")));
  if (s.what_happens) card.append(el("p", "note", s.what_happens));
  return card;
}

function addButtons(container, buttons) {
  const row = el("div", "buttons");
  for (const b of buttons || []) {
    const button = el("button", null, b.title);
    button.type = "button";
    button.addEventListener("click", () => send(b.payload, b.title));
    row.append(button);
  }
  container.append(row);
}

function show(message) {
  const li = el("li", "msg bot");
  if (message.type === "crisis") li.className = "msg bot crisis";
  if (message.text) li.append(el("p", null, message.text));
  if (message.type === "services") for (const s of message.services || []) li.append(serviceCard(s));
  if (message.type === "crisis" || message.type === "contacts") {
    for (const c of message.contacts || []) li.append(contactCard(c));
  }
  if (message.buttons) addButtons(li, message.buttons);
  log.append(li);
}

async function send(text, shownAs) {
  const mine = el("li", "msg user");
  mine.append(el("p", null, shownAs || text));
  log.append(mine);
  typing.hidden = false;
  try {
    const reply = await fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ conversation_id: conversationId(), text }),
    });
    const body = await reply.json();
    if (!reply.ok) throw new Error("bad reply");
    for (const m of body.messages) show(m);
  } catch {
    show({ type: "text", text: "Sorry, something went wrong. If you need help now, call 999 or Childline on 0800 1111." });
  } finally {
    typing.hidden = true;
    mine.scrollIntoView({ block: "start" });
  }
}

function quickExit() {
  sessionStorage.clear();
  log.replaceChildren();
  window.location.replace(document.body.dataset.exitUrl || "https://www.bbc.co.uk/weather");
}

document.documentElement.classList.add("js");
form.hidden = false;
restart.hidden = false;
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  send(text);
});
restart.addEventListener("click", () => {
  sessionStorage.removeItem(KEY);
  log.replaceChildren();
  input.focus();
});
document.getElementById("quick-exit").addEventListener("click", quickExit);
let shifts = [];
document.addEventListener("keydown", (event) => {
  if (event.key !== "Shift") return;
  const now = Date.now();
  shifts = shifts.filter((t) => now - t < 5000).concat(now);
  if (shifts.length >= 3) quickExit();
});
