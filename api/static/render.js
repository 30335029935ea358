// Builds the DOM for each message type of the chat API. Everything from the bot or the
// directory goes in with textContent, never as HTML; links come only from structured fields
// (routes, url) and only with tel:, sms: or https:.
import { say } from "./words.js";
import { feedbackFor } from "./feedback.js";

const SAFE_SCHEMES = ["tel:", "sms:", "https:"];

/** An element with a class and text content (text is never parsed as HTML). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
  return node;
}

/** The href if its scheme is allowed, else null. */
export function safeHref(href) {
  if (typeof href !== "string") return null;
  const trimmed = href.trim();
  return SAFE_SCHEMES.some((s) => trimmed.toLowerCase().startsWith(s)) ? trimmed : null;
}

function str(value) {
  return typeof value === "string" ? value.trim() : "";
}

function link(href, text, className) {
  const safe = safeHref(href);
  if (!safe) return null;
  const a = el("a", className, text);
  a.href = safe;
  if (safe.toLowerCase().startsWith("https:")) {
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.append(el("span", "visually-hidden", say("new_tab")));
  }
  return a;
}

const MODE_CLASS = { call: "call", text: "text", webchat: "web", website: "web" };

/** The ways to get in touch: tap-to-call, tap-to-text and web links; other routes as text. */
function actions(routes) {
  const list = el("ul", "actions");
  for (const r of Array.isArray(routes) ? routes : []) {
    if (!r || typeof r !== "object") continue;
    const label = str(r.label) || str(r.value);
    if (!label) continue;
    const item = el("li");
    const a = link(r.href, label, `action ${MODE_CLASS[r.mode] || "other"}`);
    if (a) {
      if (r.open_now === false) a.append(el("span", "closed", say("route_closed")));
      item.append(a);
    } else {
      // Drop-ins, email and anything without a safe link: shown, never linked.
      const value = str(r.value);
      item.className = "plain";
      item.textContent = value && !label.includes(value) ? `${label}: ${value}` : label;
    }
    list.append(item);
  }
  return list.children.length ? list : null;
}

function hostOf(url) {
  try {
    return new URL(url).host.replace(/^www\./, "");
  } catch {
    return null;
  }
}

function choices(buttons, label) {
  const valid = (Array.isArray(buttons) ? buttons : []).filter(
    (b) => b && str(b.title) && typeof b.payload === "string" && b.payload,
  );
  if (!valid.length) return null;
  const group = el("div", "choices");
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", label);
  for (const b of valid) {
    const button = el("button", null, str(b.title));
    button.type = "button";
    button.dataset.payload = b.payload;
    group.append(button);
  }
  return group;
}

/** "Checked March 2027" from an ISO date ("2027-03-14"); "" when there is none. */
export function checkedText(iso) {
  const match = /^(\d{4})-(\d{2})-\d{2}$/.exec(str(iso));
  if (!match) return "";
  const month = say("months").split(" ")[Number(match[2]) - 1];
  return month ? say("checked", { month, year: match[1] }) : "";
}

function serviceCard(s) {
  const card = el("li", "card service");
  const head = el("h2", "card-title");
  head.append(el("span", null, str(s.name)));
  if (s.sample === true) head.append(el("span", "tag", say("example")));
  card.append(head);
  if (str(s.summary)) card.append(el("p", "summary", s.summary));
  if (str(s.notice)) card.append(el("p", "notice", s.notice));

  const facts = el("p", "facts");
  if (s.open_now === true) facts.append(el("span", "open", say("open_now")));
  if (s.open_now === false) facts.append(el("span", "shut", say("closed_now")));
  for (const fact of [str(s.hours), str(s.ages)]) {
    if (!fact) continue;
    if (facts.childNodes.length) facts.append(" · ");
    facts.append(fact);
  }
  if (facts.childNodes.length) card.append(facts);

  const why = (Array.isArray(s.why) ? s.why : []).map(str).filter(Boolean);
  if (why.length) {
    const p = el("p", "why");
    p.append(el("strong", null, say("why")), why.join(", "));
    card.append(p);
  }
  const routes = Array.isArray(s.how_to_contact) ? [...s.how_to_contact] : [];
  const host = hostOf(s.url);
  if (safeHref(s.url) && host && !routes.some((r) => r && r.href === s.url)) {
    routes.push({ mode: "website", label: say("website", { host }), href: s.url });
  }
  const list = actions(routes);
  if (list) card.append(list);
  if (str(s.what_happens)) {
    const p = el("p", "what");
    p.append(el("strong", null, say("what_happens")), str(s.what_happens));
    card.append(p);
  }
  if (str(s.who_answers)) {
    const p = el("p", "what");
    p.append(el("strong", null, say("who_answers")), str(s.who_answers));
    card.append(p);
  }
  const referral =
    s.referral === "self" ? say("referral_self")
      : s.referral === "referral" ? say("referral_referral")
        : s.referral === "either" ? say("referral_either") : "";
  if (referral) card.append(el("p", "what", referral));
  if (str(s.confidentiality) || str(s.who_is_told)) {
    const more = el("details", "private");
    more.append(el("summary", null, say("private")));
    if (str(s.confidentiality)) more.append(el("p", null, s.confidentiality));
    if (str(s.who_is_told)) {
      const told = el("p");
      told.append(el("strong", null, say("who_is_told")), str(s.who_is_told));
      more.append(told);
    }
    card.append(more);
  }
  const checked = checkedText(s.last_checked);
  if (checked) card.append(el("p", "small checked", checked));
  const feedback = feedbackFor(s.id);
  if (feedback) card.append(feedback);
  return card;
}

function contactCard(c, detailed) {
  const card = el("li", "contact");
  card.append(el("h2", "contact-name", str(c.name)));
  if (detailed && str(c.who_for)) card.append(el("p", "small", c.who_for));
  const list = actions(c.routes);
  if (list) card.append(list);
  if (detailed && str(c.what_happens)) card.append(el("p", "small", c.what_happens));
  return card;
}

function contactsList(contacts, detailed) {
  const list = el("ul", "contacts");
  for (const c of Array.isArray(contacts) ? contacts : []) {
    if (c && typeof c === "object" && str(c.name)) list.append(contactCard(c, detailed));
  }
  return list;
}

/** One bot message as a list item, or null for a type the widget does not know. */
export function renderMessage(m) {
  if (!m || typeof m !== "object") return null;
  const item = el("li", "msg bot");
  item.dataset.type = String(m.type);
  if (m.type === "crisis") {
    item.className = "msg bot crisis";
    item.append(el("p", "crisis-label", say("urgent")));
  }
  if (m.type === "contacts") item.className = "msg bot way-out";
  if (m.type === "risk_check") item.className = "msg bot check";
  if (str(m.text)) item.append(el("p", "text", m.text));

  if (m.type === "services") {
    const cards = el("ul", "cards");
    for (const s of Array.isArray(m.services) ? m.services : []) {
      if (s && typeof s === "object" && str(s.name)) cards.append(serviceCard(s));
    }
    item.append(cards);
  } else if (m.type === "crisis" || m.type === "contacts" || m.type === "risk_check") {
    item.append(contactsList(m.contacts, m.type === "crisis"));
    const others = Array.isArray(m.more_contacts) ? m.more_contacts : [];
    if (others.length) {
      const more = el("details", "more-contacts");
      more.append(el("summary", null, say("more_contacts")), contactsList(others, false));
      item.append(more);
    }
  } else if (m.type !== "text" && m.type !== "buttons") {
    if (!str(m.text)) return null;
  }
  const group = choices(m.buttons, say("choices"));
  if (group) item.append(group);
  return item.childNodes.length ? item : null;
}

/** Crisis messages first, the rest in the order they came. */
export function crisisFirst(messages) {
  const list = Array.isArray(messages) ? messages : [];
  return [
    ...list.filter((m) => m && m.type === "crisis"),
    ...list.filter((m) => !m || m.type !== "crisis"),
  ];
}

/** A short text for screen readers announcing a new bot message. */
export function describe(m) {
  const parts = [str(m.text)];
  const names = (items) =>
    (Array.isArray(items) ? items : []).map((x) => x && str(x.name)).filter(Boolean);
  if (m.type === "crisis") parts.unshift(say("spoken_urgent"));
  if (m.type === "services") {
    const found = names(m.services);
    if (found.length) parts.push(say("spoken_services", { count: found.length, names: found.join(", ") }));
  }
  if (m.type === "crisis" || m.type === "contacts" || m.type === "risk_check") {
    const found = names(m.contacts);
    if (found.length) parts.push(say("spoken_contacts", { names: found.join(", ") }));
  }
  const count = Array.isArray(m.buttons) ? m.buttons.length : 0;
  if (count) parts.push(count === 1 ? say("spoken_one_choice") : say("spoken_choices", { count }));
  return parts.filter(Boolean).join(" ");
}
