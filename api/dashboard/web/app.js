// The dashboard: sign-in, the status bar and the four pages.
import { t, lang, setLang, setTimeZone, fmtBytes, fmtUptime, fmtDateTime } from "./i18n.js";
import { session, hooks, get, post, el, isAdmin } from "./api.js";
import * as live from "./live.js";
import * as timetable from "./timetable.js";
import * as channels from "./channels.js";
import * as records from "./records.js";

const pages = { live, timetable, channels, records };
const $ = (id) => document.getElementById(id);
// window.lubo is for people debugging the page (and its tests).
const state = (window.lubo = { page: "", ready: false, lang, errors: [] });
// What went wrong, for the page's tests and whoever opens the console: the
// newest 100, so a wall screen left open for weeks does not keep them all.
state.noteError = (msg) => {
  state.errors.push(msg);
  if (state.errors.length > 100) state.errors.shift();
};
window.addEventListener("error", (e) => state.noteError(String(e.message)));

function currentPage() {
  const p = location.hash.replace("#", "");
  return pages[p] ? p : "live";
}

function showPage() {
  const name = currentPage();
  for (const p in pages) {
    $("page-" + p).hidden = p !== name;
    if (p !== name && pages[p].leave) pages[p].leave();
  }
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.dataset.page === name);
  state.page = name;
  pages[name].show($("page-" + name));
}

function renderChrome() {
  document.title = t("title") + " · lubo";
  $("title").textContent = t("title");
  for (const a of document.querySelectorAll("#nav a")) a.textContent = t("nav." + a.dataset.page);
  $("lang").textContent = t("lang.switch");
  $("logout").textContent = t("auth.logout");
  $("logout").hidden = !session.auth;
  $("who").textContent = session.auth ? t("auth.as", { user: session.user, role: t("role." + session.role) }) : "";
  $("banner").hidden = session.auth;
  $("banner").textContent = t("auth.open");
  $("login-title").textContent = t("auth.title");
  $("login-user-label").textContent = t("auth.user");
  $("login-password-label").textContent = t("auth.password");
  $("login-submit").textContent = t("auth.login");
  document.body.classList.toggle("admin", isAdmin());
}

async function refreshStatus() {
  let st;
  try { st = await get("/api/dash/status"); } catch (e) { return; }
  setTimeZone(st.timezone);
  const bar = $("statusbar");
  bar.textContent = "";
  const add = (text, cls) => bar.append(el("span", { class: cls }, text));
  if (!st.running) add(t("status.starting"), "bad");
  if (st.disk) {
    if (st.disk.total) {
      const low = st.disk.free / st.disk.total < 0.1;
      add(t("status.disk", { free: fmtBytes(st.disk.free), total: fmtBytes(st.disk.total) }), low ? "bad" : "");
    } else add(t("status.diskUnknown"));
    add(t("status.retention", { minFree: st.disk.min_free }) + (st.disk.max_age ? t("status.maxAge", { maxAge: st.disk.max_age }) : ""));
    if (st.disk.recording) add(t("status.recording", { n: st.disk.recording }), "bad");
  }
  for (const c of st.clouds || []) {
    if (c.OK) add(t("status.cloudOK", { name: c.Name, when: fmtDateTime(c.LastSync) }) + (c.Detail ? " · " + c.Detail : ""), "good");
    else if (c.Error) add(t("status.cloudErr", { name: c.Name, error: c.Error }) + (c.Detail ? " · " + c.Detail : ""), "bad");
    else add(t("status.cloudNever", { name: c.Name }) + (c.Detail ? " · " + c.Detail : ""));
  }
  add(t("status.version", { v: st.version }));
  add(t("status.uptime", { d: fmtUptime(st.uptime_s) }));
  const cfg = st.config || {};
  $("config-stale").hidden = !cfg.Stale;
  $("config-stale").textContent = cfg.Stale ? t("status.configStale") + " " + (cfg.Path || "") + "\n" + (cfg.Problems || []).join("\n") : "";
}

// whoAmI asks the sign-in guard who is signed in. No guard (404) or a
// guard that says auth is off both mean the page runs open.
async function whoAmI() {
  let resp;
  try { resp = await fetch("/api/auth/me", { credentials: "same-origin" }); } catch (e) { return "error"; }
  if (resp.status === 404) { Object.assign(session, { auth: false, role: "admin", user: "", csrf: "" }); return "open"; }
  let body = {};
  try { body = await resp.json(); } catch (e) { body = {}; }
  if (resp.status === 401) { session.auth = true; return "signin"; }
  if (!resp.ok) return "error";
  if (!body.auth) { Object.assign(session, { auth: false, role: "admin", user: "", csrf: "" }); return "open"; }
  Object.assign(session, { auth: true, user: body.user || "", role: body.role || "viewer", csrf: body.csrf || "" });
  return "in";
}

function showLogin(show) {
  $("login").hidden = !show;
  if (show) { $("login-error").hidden = true; $("login-user").focus(); }
}

async function login(ev) {
  ev.preventDefault();
  const user = $("login-user").value, password = $("login-password").value;
  const errEl = $("login-error");
  try {
    const resp = await fetch("/api/auth/login", { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user, password }) });
    if (!resp.ok) {
      errEl.textContent = resp.status === 429 ? t("auth.slow") : t("auth.wrong");
      errEl.hidden = false;
      return;
    }
    const body = await resp.json();
    Object.assign(session, { auth: true, user: body.user, role: body.role, csrf: body.csrf });
    $("login-password").value = "";
    showLogin(false);
    start();
  } catch (e) {
    errEl.textContent = t("err.network", { error: e.message });
    errEl.hidden = false;
  }
}

async function logout() {
  try { await post("/api/auth/logout"); } catch (e) { /* signed out either way */ }
  Object.assign(session, { user: "", role: "viewer", csrf: "" });
  for (const p in pages) if (pages[p].leave) pages[p].leave();
  renderChrome();
  showLogin(true);
}

let timer = 0;
function start() {
  renderChrome();
  showPage();
  refreshStatus();
  clearInterval(timer);
  timer = setInterval(() => {
    refreshStatus();
    const p = pages[currentPage()];
    if (p.tick && !document.hidden && $("login").hidden) p.tick();
  }, 3000);
  state.ready = true;
}

async function boot() {
  $("lang").addEventListener("click", () => {
    setLang(lang === "zh" ? "en" : "zh");
    state.lang = lang;
    renderChrome();
    showPage();
    refreshStatus();
  });
  $("logout").addEventListener("click", logout);
  $("login-form").addEventListener("submit", login);
  window.addEventListener("hashchange", showPage);
  hooks.onSignedOut = () => { renderChrome(); showLogin(true); };
  renderChrome();
  const who = await whoAmI();
  if (who === "signin") { renderChrome(); showLogin(true); return; }
  start();
}

boot();
