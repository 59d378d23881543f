// Tandem local console. Cards arrive as HTML escaped by the server (handlers/console/render.py);
// everything else this script shows is set with textContent, never parsed as HTML.
"use strict";

const WORDS = {
  en: { subtitle: "local console", who: "Who are you?", search: "Search people", chat_as: "Chatting as",
        message: "Message", send: "Send", demo_time: "Demo time:", admin: "admin",
        pick: "Pick who you are to start.", failed: "Something went wrong", ran: "due actions run" },
  fr: { subtitle: "console locale", who: "Qui êtes-vous ?", search: "Chercher une personne", chat_as: "Vous êtes",
        message: "Message", send: "Envoyer", demo_time: "Heure de la démo\u202f:", admin: "admin",
        pick: "Choisissez qui vous êtes pour commencer.", failed: "Une erreur est survenue", ran: "actions échues exécutées" },
};
const POLL_MS = 2000;
const state = { person: null, cursor: null, locale: "en", timer: null, busy: false };
const $ = (id) => document.getElementById(id);

function word(key) { return (WORDS[state.locale] || WORDS.en)[key]; }

function setLocale(locale) {
  if (!locale || !WORDS[locale]) return;
  state.locale = locale;
  document.documentElement.lang = locale;
  document.querySelectorAll("[data-word]").forEach((el) => { el.textContent = word(el.dataset.word); });
}

function status(text) { $("status").textContent = text || ""; }

async function call(method, url, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return response.json();
}

function fromHtml(html) {
  const template = document.createElement("template");
  template.innerHTML = html; // server-rendered and escaped: see render.py
  return template.content;
}

// -- who you are -------------------------------------------------------------------------
let filterTimer = null;
async function loadPeople(query) {
  const data = await call("GET", `/console/api/people?q=${encodeURIComponent(query || "")}`);
  if (!state.person) setLocale(data.default_locale);
  $("clock").hidden = !data.demo_clock;
  const list = $("people");
  list.replaceChildren();
  for (const person of data.people) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.personId = person.id;
    button.setAttribute("aria-pressed", String(state.person && state.person.id === person.id));
    button.append(document.createTextNode(person.name));
    if (person.admin) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = word("admin");
      button.append(badge);
    }
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = [person.title, person.email].filter(Boolean).join(" · ");
    button.append(meta);
    button.addEventListener("click", () => choose(person));
    item.append(button);
    list.append(item);
  }
}

function choose(person) {
  state.person = person;
  state.cursor = null;
  if (person.locale) setLocale(person.locale);
  $("me").textContent = person.name;
  $("messages").replaceChildren();
  $("form-slot").replaceChildren();
  document.querySelectorAll("#people button").forEach((b) => {
    b.setAttribute("aria-pressed", String(b.dataset.personId === person.id));
  });
  $("text").disabled = false;
  $("send").disabled = false;
  status("");
  $("text").focus();
  refresh();
  clearInterval(state.timer);
  state.timer = setInterval(refresh, POLL_MS);
}

// -- the conversation --------------------------------------------------------------------
async function refresh() {
  if (!state.person) return;
  const person = state.person;
  let url = `/console/api/messages?person_id=${encodeURIComponent(person.id)}`;
  if (state.cursor) url += `&since=${encodeURIComponent(state.cursor)}`;
  try {
    const data = await call("GET", url);
    if (state.person !== person) return;
    setLocale(data.locale);
    if (data.demo_now) $("demo-now").textContent = new Date(data.demo_now).toLocaleString(state.locale);
    const box = $("messages");
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    for (const item of data.messages) {
      const wrapper = document.createElement("div");
      wrapper.className = `entry from-${item.author}`;
      wrapper.dataset.id = item.id;
      wrapper.append(fromHtml(item.html));
      const existing = box.querySelector(`.entry[data-id="${CSS.escape(item.id)}"]`);
      if (existing) existing.replaceWith(wrapper); else box.append(wrapper);
    }
    if (data.messages.length && atBottom) box.scrollTop = box.scrollHeight;
    if (data.cursor) state.cursor = data.cursor;
  } catch (error) {
    status(`${word("failed")}: ${error.message}`);
  }
}

async function answered(data) {
  setLocale(data.locale);
  if (data.form) showForm(data.form);
  await refresh();
}

async function send(text) {
  status("");
  try {
    await answered(await call("POST", "/console/api/send", { person_id: state.person.id, text }));
  } catch (error) {
    status(`${word("failed")}: ${error.message}`);
  }
}

function confirmStep(button) {
  if (!button.dataset.confirmTitle) return Promise.resolve(true);
  const dialog = $("confirm");
  $("confirm-title").textContent = button.dataset.confirmTitle;
  $("confirm-text").textContent = button.dataset.confirmText;
  $("confirm-yes").textContent = button.dataset.confirmYes;
  $("confirm-no").textContent = button.dataset.confirmNo;
  return new Promise((resolve) => {
    const done = (yes) => { dialog.close(); resolve(yes); button.focus(); };
    $("confirm-yes").onclick = () => done(true);
    $("confirm-no").onclick = () => done(false);
    dialog.oncancel = () => resolve(false);
    dialog.showModal();
    $("confirm-no").focus();
  });
}

async function click(button) {
  if (!(await confirmStep(button))) return;
  const card = button.closest("[data-message-id]");
  button.disabled = true;
  status("");
  try {
    await answered(await call("POST", "/console/api/action", {
      person_id: state.person.id,
      message_id: card.dataset.messageId,
      action: button.dataset.action,
      ref: button.dataset.ref,
      value: button.dataset.value,
    }));
  } catch (error) {
    button.disabled = false;
    status(`${word("failed")}: ${error.message}`);
  }
}

// -- forms -------------------------------------------------------------------------------
function showForm(html) {
  const slot = $("form-slot");
  slot.replaceChildren(fromHtml(html));
  const form = slot.querySelector("form");
  form.querySelectorAll("input[data-filter-for]").forEach((box) => {
    box.addEventListener("input", () => {
      const needle = box.value.trim().toLowerCase();
      const list = document.getElementById(box.dataset.filterFor);
      const items = list.tagName === "SELECT" ? list.options : list.querySelectorAll(".choice");
      for (const item of items) {
        item.hidden = Boolean(needle) && !item.textContent.toLowerCase().includes(needle);
      }
    });
  });
  form.querySelector("[data-cancel]").addEventListener("click", () => slot.replaceChildren());
  const back = form.querySelector("[data-back]");
  if (back) back.addEventListener("click", () => submit(form, { __back__: "1" }));
  form.addEventListener("submit", (event) => { event.preventDefault(); submit(form); });
  const first = form.querySelector("input, select, textarea");
  if (first) first.focus();
}

function readValues(form) {
  const values = {};
  for (const field of form.querySelectorAll("[data-field]")) {
    const name = field.dataset.field;
    const kind = field.dataset.kind;
    if (kind === "checkboxes") {
      values[name] = [...field.querySelectorAll("input:checked")].map((c) => c.value);
    } else {
      const control = field.querySelector("input:not(.filter), select, textarea");
      values[name] = control.value === "" ? null : control.value;
    }
  }
  return values;
}

function showErrors(form, errors) {
  let first = null;
  for (const field of form.querySelectorAll("[data-field]")) {
    const message = errors[field.dataset.field];
    const slot = field.querySelector(".field-error");
    slot.textContent = message || "";
    slot.hidden = !message;
    const control = field.querySelector("input:not(.filter), select, textarea");
    if (message) {
      field.setAttribute("aria-invalid", "true");
      if (control) {
        control.setAttribute("aria-invalid", "true");
        const described = new Set((control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
        described.add(slot.id);
        control.setAttribute("aria-describedby", [...described].join(" "));
      }
      first = first || control;
    } else {
      field.removeAttribute("aria-invalid");
      if (control) control.removeAttribute("aria-invalid");
    }
  }
  if (first) first.focus();
}

async function submit(form, values) {
  status("");
  try {
    const data = await call("POST", "/console/api/submit", {
      person_id: state.person.id, ref: form.dataset.ref, values: values || readValues(form),
    });
    setLocale(data.locale);
    if (data.answer === "errors") showErrors(form, data.errors);
    else if (data.answer === "next" && data.form) showForm(data.form);
    else $("form-slot").replaceChildren();
    await refresh();
  } catch (error) {
    status(`${word("failed")}: ${error.message}`);
  }
}

// -- demo clock --------------------------------------------------------------------------
async function forward(hours) {
  // One move at a time: a second tap while the first runs would only wait behind it.
  const buttons = document.querySelectorAll("[data-forward-hours]");
  buttons.forEach((button) => { button.disabled = true; });
  try {
    const data = await call("POST", "/console/api/clock", { hours });
    $("demo-now").textContent = new Date(data.demo_now).toLocaleString(state.locale);
    status(`${data.done} ${word("ran")}`);
    await refresh();
  } catch (error) {
    status(`${word("failed")}: ${error.message}`);
  } finally {
    buttons.forEach((button) => { button.disabled = false; });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("people-filter").addEventListener("input", (event) => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => loadPeople(event.target.value), 200);
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("text").value.trim();
    if (!text || !state.person) return;
    $("text").value = "";
    send(text);
  });
  $("messages").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (button && !button.disabled) click(button);
  });
  document.querySelectorAll("[data-forward-hours]").forEach((button) => {
    button.addEventListener("click", () => forward(Number(button.dataset.forwardHours)));
  });
  status(WORDS.en.pick);
  loadPeople("").then(() => { if (!state.person) status(word("pick")); }).catch((error) => status(`${word("failed")}: ${error.message}`));
});
