// The words the scripts show, from api/ui_text.yml: the page carries them in a JSON block.
const block = document.getElementById("ui-text");
const WORDS = block ? JSON.parse(block.textContent) : {};

/** The words for `key`, each {name} replaced by values[name]; the key itself if it is unknown. */
export function say(key, values = {}) {
  const text = typeof WORDS[key] === "string" ? WORDS[key] : key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}
