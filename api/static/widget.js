/*
 * The support chat on another site, with one tag:
 *
 *   <script src="https://CHAT-SITE/widget.js" defer></script>
 *
 * Optional attributes: data-label="Need to talk?" (the launcher's words) and
 * data-exit-url="https://..." (where quick exit goes; default: the chat site's setting).
 * The chat site must list the embedding site's origin in EMBED_ORIGINS, and a site with its own
 * Content Security Policy must allow CHAT-SITE in script-src and frame-src.
 *
 * It adds an accessible launcher button; the chat opens in an iframe of CHAT-SITE/?embed=1 only
 * when the button is pressed, so nothing else is loaded before that. Quick exit inside the chat
 * (or Shift pressed three times here while it is open) replaces this page too, so Back does not
 * return to it. No cookies, no storage on this site, styles kept in a shadow root.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__supportChatWidget) return;
  window.__supportChatWidget = true;

  var chatOrigin = new URL(script.src, window.location.href).origin;
  var label = script.getAttribute("data-label") || "Need support? Chat";
  var ownExit = script.getAttribute("data-exit-url");
  var web = /^https?:\/\/[^\s]+$/i;

  var css = [
    ":host{all:initial}",
    ".launcher{position:fixed;right:1rem;bottom:1rem;z-index:2147483000;min-height:3rem;",
    "padding:.6rem 1.1rem;border:2px solid #fff;border-radius:1.5rem;background:#0b5b74;color:#fff;",
    "font:700 1rem/1.2 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;cursor:pointer;",
    "box-shadow:0 2px 8px rgba(0,0,0,.3)}",
    ".launcher:hover{background:#084557}",
    ".launcher:focus-visible,.panel:focus-visible{outline:3px solid #0b0c0c;outline-offset:2px;box-shadow:0 0 0 2px #ffdd00}",
    ".panel{position:fixed;z-index:2147483001;right:1rem;bottom:5rem;width:25rem;",
    "height:min(42rem,calc(100vh - 6rem));max-width:calc(100vw - 2rem);background:#fff;",
    "border:1px solid #6b7785;border-radius:.75rem;overflow:hidden;box-shadow:0 4px 24px rgba(0,0,0,.3)}",
    ".panel[hidden]{display:none}",
    "iframe{display:block;width:100%;height:100%;border:0}",
    "@media (max-width:30rem),(max-height:32rem){.panel{inset:0;width:100%;height:100%;",
    "max-width:none;border-radius:0;border:0}}",
    "@media (prefers-reduced-motion:reduce){*{transition:none!important}}",
  ].join("");

  var host = document.createElement("div");
  host.setAttribute("data-support-chat", "");
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  if (root !== host && "adoptedStyleSheets" in root && window.CSSStyleSheet) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css); // not blocked by the host's CSP, unlike a <style> element
    root.adoptedStyleSheets = [sheet];
  } else {
    var style = document.createElement("style");
    style.textContent = css;
    root.appendChild(style);
  }

  var launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.textContent = label;
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "support-chat-panel");

  var panel = document.createElement("div");
  panel.className = "panel";
  panel.id = "support-chat-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "Support chat");
  var frame = null;

  root.appendChild(launcher);
  root.appendChild(panel);

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.title = "Support chat";
      frame.src = chatOrigin + "/?embed=1";
      frame.setAttribute("referrerpolicy", "no-referrer");
      panel.appendChild(frame);
    }
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    frame.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  var leaving = false;
  function leave(url) {
    if (leaving) return;
    leaving = true;
    var target = (ownExit && web.test(ownExit) && ownExit) || (web.test(url || "") && url);
    host.remove();
    frame = null;
    window.location.replace(target || "https://www.bbc.co.uk/weather");
  }

  // Ask the chat to wipe its own tab storage and leave; it answers with support-chat:exit.
  function exitFromHere() {
    if (frame && frame.contentWindow) {
      frame.contentWindow.postMessage({ type: "support-chat:exit-now" }, chatOrigin);
      setTimeout(function () { leave(null); }, 300);
    } else {
      leave(null);
    }
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) open();
    else close();
  });

  window.addEventListener("message", function (event) {
    if (event.origin !== chatOrigin || !frame || event.source !== frame.contentWindow) return;
    var data = event.data || {};
    if (data.type === "support-chat:close") close();
    if (data.type === "support-chat:exit") leave(data.url);
  });

  // Shift three times within five seconds, while the chat is open, leaves this page too.
  var presses = [];
  var alone = false;
  document.addEventListener("keydown", function (event) {
    if (event.key === "Shift") {
      if (!event.repeat) alone = true;
    } else {
      alone = false;
      presses = [];
    }
    if (event.key === "Escape" && !panel.hidden) close();
  }, true);
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift" || !alone || panel.hidden) return;
    alone = false;
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 5000; }).concat(now);
    if (presses.length >= 3) exitFromHere();
  }, true);

  function mount() {
    document.body.appendChild(host);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
