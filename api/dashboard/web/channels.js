// Channels: every channel with its origin and state; admins add, edit and
// remove the dashboard's own (a URL, a Hikvision/Dahua device, or a cloud
// camera URL), and test any source before saving. Passwords come back as
// ****** and are kept when the field is left so.
import { t, originLabel, fmtTime } from "./i18n.js";
import { get, post, put, del, el, isAdmin, problemText } from "./api.js";

let root = null;

export function show(section) {
  root = section;
  tick();
}
export function leave() { root = null; }

export async function tick() {
  if (!root || document.querySelector(".dialog")) return;
  let data;
  try { data = await get("/api/dash/channels"); } catch (e) {
    if (root) { root.textContent = ""; root.append(el("p", { class: "error-text", id: "ch-unavailable" }, problemText(e))); }
    return;
  }
  if (!root) return;
  root.textContent = "";
  root.append(el("div", { class: "section-title" }, el("h2", null, t("nav.channels")),
    isAdmin() ? el("button", { type: "button", class: "primary", id: "ch-add", onclick: () => openForm(null) }, t("ch.add")) : null));
  const rows = data.channels.map((c) => el("tr", { id: "chrow-" + c.id },
    el("td", null, el("b", null, c.id), el("div", { class: "muted" }, c.name)),
    el("td", null, originLabel(c.origin), c.editable ? "" : el("div", { class: "muted" }, t("ch.readonlyShort"))),
    el("td", { class: "hide-narrow" }, t("kind." + c.kind), el("div", { class: "muted", style: "word-break:break-all" }, c.source)),
    el("td", null, c.up ? el("span", { class: "ok-text" }, t("ch.up")) : t("ch.down"), c.tracks ? el("div", { class: "muted" }, c.tracks) : null,
      c.last_error ? el("div", { class: "error-text" }, c.last_error + (c.next_retry ? " · " + t("live.retry", { time: fmtTime(c.next_retry) }) : "")) : null),
    el("td", null, isAdmin() ? [
      el("button", { type: "button", class: "test", onclick: (ev) => testExisting(c.id, ev.target) }, t("ch.test")),
      c.editable ? el("button", { type: "button", class: "edit", onclick: () => openForm(c.id) }, t("ch.edit")) : null,
      c.editable ? el("button", { type: "button", class: "danger remove", onclick: () => remove(c.id) }, t("ch.remove")) : null,
      el("div", { class: "probe-result" })] : null)));
  root.append(el("div", { class: "scroll" }, el("table", { id: "ch-table" },
    el("thead", null, el("tr", null, el("th", null, t("ch.idCol")), el("th", null, t("ch.origin")), el("th", { class: "hide-narrow" }, t("ch.kind")), el("th", null, t("ch.state")), el("th"))),
    el("tbody", null, rows))));
}

function probeText(r) {
  return r.ok ? t("ch.testOK", { tracks: r.tracks }) : t("ch.testFail", { error: r.error });
}

async function testExisting(id, button) {
  const out = button.parentNode.querySelector(".probe-result");
  out.className = "probe-result muted";
  out.textContent = t("ch.testing");
  try {
    const r = await post("/api/dash/probe", { id });
    out.className = "probe-result " + (r.ok ? "ok-text" : "error-text");
    out.textContent = probeText(r);
  } catch (e) { out.className = "probe-result error-text"; out.textContent = problemText(e); }
}

async function remove(id) {
  if (!confirm(t("ch.confirmRemove", { id }))) return;
  try { await del("/api/dash/channels/" + encodeURIComponent(id)); tick(); } catch (e) { alert(problemText(e)); }
}

async function openForm(id) {
  let c = { id: "", name: "", source: "", on_demand: true };
  if (id) {
    try { c = await get("/api/dash/admin/channels/" + encodeURIComponent(id)); } catch (e) { alert(problemText(e)); return; }
  }
  const d = c.device || { vendor: "hikvision", host: "", port: 554, user: "", password: "", channel: 1, stream: "main" };
  const kind0 = c.device ? "device" : (/^(rtsps?|rtmps?|https?|file):/.test(c.source) || !c.source ? "url" : "cloud");
  const f = {
    id: el("input", { name: "id", value: c.id, required: true, pattern: "[a-z0-9_-]{1,64}", disabled: !!id }),
    name: el("input", { name: "name", value: c.name }),
    kind: el("select", { name: "kind" }, ["url", "device", "cloud"].map((k) => el("option", { value: k, selected: k === kind0 }, t("kind." + k)))),
    source: el("input", { name: "source", value: c.source || "", size: "48" }),
    vendor: el("select", { name: "vendor" }, ["hikvision", "dahua"].map((v) => el("option", { value: v, selected: v === d.vendor }, v === "hikvision" ? "海康威视 Hikvision" : "大华 Dahua"))),
    host: el("input", { name: "host", value: d.host || "" }),
    port: el("input", { name: "port", type: "number", min: "1", max: "65535", value: d.port || 554 }),
    user: el("input", { name: "user", value: d.user || "", autocomplete: "off" }),
    password: el("input", { name: "password", type: "password", value: d.password || "", autocomplete: "new-password" }),
    devch: el("input", { name: "devch", type: "number", min: "1", value: d.channel || 1 }),
    stream: el("select", { name: "stream" }, ["main", "sub", "both"].map((s) => el("option", { value: s, selected: s === d.stream }, t("stream." + s)))),
    ondemand: el("input", { name: "on_demand", type: "checkbox", checked: c.on_demand !== false }),
  };
  const srcLabel = el("label", null, t("ch.source"));
  const devRows = [["ch.vendor", f.vendor], ["ch.host", f.host], ["ch.port", f.port], ["ch.user", f.user], ["ch.password", f.password], ["ch.devChannel", f.devch], ["ch.stream", f.stream]]
    .map(([k, input]) => [el("label", null, t(k)), input]);
  const sync = () => {
    const dev = f.kind.value === "device";
    srcLabel.textContent = f.kind.value === "cloud" ? t("ch.cloudSource") : t("ch.source");
    srcLabel.hidden = f.source.hidden = dev;
    for (const [l, i] of devRows) l.hidden = i.hidden = !dev;
  };
  f.kind.addEventListener("change", sync);
  const body = () => {
    const b = { id: f.id.value.trim(), name: f.name.value.trim(), on_demand: f.ondemand.checked };
    if (f.kind.value === "device") {
      b.device = { vendor: f.vendor.value, host: f.host.value.trim(), port: Number(f.port.value) || 0, user: f.user.value.trim(),
        password: f.password.value, channel: Number(f.devch.value) || 0, stream: f.stream.value };
    } else b.source = f.source.value.trim();
    return b;
  };
  const msg = el("p", { class: "error-text full", id: "ch-error" });
  const result = el("p", { class: "full", id: "ch-probe" });
  const close = () => { dlg.remove(); tick(); };
  const form = el("form", { class: "edit", id: "ch-form" },
    el("label", null, t("ch.id")), f.id, el("label", null, t("ch.name")), f.name, el("label", null, t("ch.kind")), f.kind,
    srcLabel, f.source, devRows, el("label", null, t("ch.onDemand")), f.ondemand, msg, result,
    el("div", { class: "row full" },
      el("button", { type: "submit", class: "primary" }, t("ch.save")),
      el("button", { type: "button", id: "ch-test", onclick: async () => {
        msg.textContent = "";
        result.className = "full muted";
        result.textContent = t("ch.testing");
        try {
          const r = await post("/api/dash/probe", { channel: body() });
          result.className = "full " + (r.ok ? "ok-text" : "error-text");
          result.textContent = probeText(r);
        } catch (e) { result.textContent = ""; msg.textContent = problemText(e); }
      } }, t("ch.test")),
      el("button", { type: "button", onclick: close }, t("ch.cancel"))));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      if (id) await put("/api/dash/channels/" + encodeURIComponent(id), body());
      else await post("/api/dash/channels", body());
      close();
    } catch (e) { msg.textContent = problemText(e); }
  });
  const dlg = el("div", { class: "dialog" }, el("div", { class: "card" }, el("h3", null, id ? t("ch.edit") + " " + id : t("ch.add")), form));
  document.body.append(dlg);
  sync();
}
