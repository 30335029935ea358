// "Did this help?" and "Something wrong with this service?" under each service card. Sends to
// /api/feedback with no cookies and no conversation id. Words typed with a report are screened on
// the server first: when they show a sign of risk, the reply is the crisis card, which is shown in
// the conversation (chat.js listens for "support-chat:show").
import { say } from "./words.js";

const TEXT_MAX = 300;
const REASONS = ["number_wrong", "closed_or_moved", "not_for_my_age", "something_else"];
let made = 0;

function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

async function send(body) {
  const reply = await fetch("/api/feedback", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    credentials: "omit",
    cache: "no-store",
  });
  if (!reply.ok) throw new Error(`feedback answered ${reply.status}`);
  return reply.json();
}

/** Put `text` where the controls were and move keyboard focus to it, so it is read out. */
function settle(place, text) {
  const done = make("p", "fb-done", text);
  done.tabIndex = -1;
  place.replaceWith(done);
  done.focus({ preventScroll: true });
  return done;
}

function showCrisis(messages) {
  document.dispatchEvent(new CustomEvent("support-chat:show", { detail: { messages } }));
}

function helpedGroup(serviceId, id) {
  const group = make("div", "fb-helped");
  group.setAttribute("role", "group");
  group.setAttribute("aria-labelledby", `${id}-q`);
  const question = make("span", "fb-question", say("fb_helped"));
  question.id = `${id}-q`;
  group.append(question);
  for (const [choice, words] of [["yes", say("fb_yes")], ["no", say("fb_no")]]) {
    const button = make("button", "fb-button", words);
    button.type = "button";
    button.addEventListener("click", async () => {
      for (const b of group.querySelectorAll("button")) b.disabled = true;
      try {
        await send({ service_id: serviceId, kind: "helped", choice });
        settle(group, say("fb_thanks"));
      } catch {
        for (const b of group.querySelectorAll("button")) b.disabled = false;
        const error = group.querySelector(".fb-error") || make("p", "fb-error");
        error.setAttribute("role", "alert");
        error.textContent = say("fb_failed");
        group.append(error);
      }
    });
    group.append(button);
  }
  return group;
}

function counter(area, visible, spoken) {
  let timer = null;
  const update = () => {
    const left = TEXT_MAX - area.value.length;
    visible.textContent = say(left === 1 ? "fb_left_one" : "fb_left", { count: left });
    clearTimeout(timer);
    // Read out once typing pauses, not at every key.
    timer = setTimeout(() => { spoken.textContent = visible.textContent; }, 1000);
  };
  area.addEventListener("input", update);
  update();
  spoken.textContent = "";
}

function reportForm(serviceId, id) {
  const more = make("details", "fb-report");
  more.append(make("summary", null, say("fb_report")));
  const form = make("form", "fb-form");
  form.noValidate = true;
  const set = make("fieldset");
  set.append(make("legend", null, say("fb_whats_wrong")));
  const error = make("p", "fb-error");
  error.id = `${id}-error`;
  error.hidden = true;
  set.append(error);
  REASONS.forEach((reason, i) => {
    const row = make("div", "fb-choice");
    const radio = make("input");
    radio.type = "radio";
    radio.name = `${id}-reason`;
    radio.id = `${id}-r${i}`;
    radio.value = reason;
    const label = make("label", null, say(`fb_${reason}`));
    label.htmlFor = radio.id;
    row.append(radio, label);
    set.append(row);
  });
  const label = make("label", "fb-label", say("fb_text_label"));
  label.htmlFor = `${id}-text`;
  const hint = make("p", "small", say("fb_text_hint"));
  hint.id = `${id}-hint`;
  const area = make("textarea", "fb-text");
  area.id = `${id}-text`;
  area.rows = 3;
  area.maxLength = TEXT_MAX;
  const count = make("p", "small fb-count");
  count.id = `${id}-count`;
  count.setAttribute("aria-hidden", "true");
  const spoken = make("p", "visually-hidden");
  spoken.setAttribute("aria-live", "polite");
  area.setAttribute("aria-describedby", `${hint.id} ${count.id}`);
  counter(area, count, spoken);
  const submit = make("button", "fb-send", say("fb_send"));
  submit.type = "submit";
  form.append(set, label, hint, area, count, spoken, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = form.querySelector("input[type=radio]:checked");
    if (!chosen) {
      error.textContent = say("fb_choose");
      error.hidden = false;
      for (const r of form.querySelectorAll("input[type=radio]")) {
        r.setAttribute("aria-describedby", error.id);
      }
      form.querySelector("input[type=radio]").focus();
      return;
    }
    submit.disabled = true;
    const text = area.value.trim().slice(0, TEXT_MAX);
    try {
      const answer = await send({
        service_id: serviceId, kind: "report", choice: chosen.value, ...(text ? { text } : {}),
      });
      if (answer.crisis) {
        settle(more, say("fb_crisis"));
        showCrisis(answer.messages);
      } else {
        settle(more, say("fb_report_thanks"));
      }
    } catch {
      submit.disabled = false;
      error.textContent = say("fb_failed");
      error.hidden = false;
      error.setAttribute("role", "alert");
    }
  });
  more.append(form);
  return more;
}

/** The feedback controls for one service card (null without a service id). */
export function feedbackFor(serviceId) {
  if (typeof serviceId !== "string" || !serviceId) return null;
  made += 1;
  const id = `fb${made}`;
  const box = make("div", "fb");
  box.append(helpedGroup(serviceId, id), reportForm(serviceId, id));
  return box;
}
