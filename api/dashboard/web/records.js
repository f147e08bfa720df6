// Recordings: browse by channel, date, course and teacher, page by page;
// play in the page with seeking (the file server answers Range requests);
// download; a recording in progress grows in size and duration.
import { t, fmtDateTime, fmtBytes, fmtDuration } from "./i18n.js";
import { get, el, problemText } from "./api.js";

let root = null;
const filter = { channel: "", date: "", subject: "", teacher: "", state: "", page: 1 };
const perPage = 20;
let growing = false;

export function show(section) {
  root = section;
  section.textContent = "";
  section.append(el("div", { id: "rec-player" }), el("form", { class: "filters", id: "rec-filters" }), el("div", { id: "rec-list" }));
  renderFilters();
  load();
}
export function leave() { root = null; }
export function tick() { if (growing) load(); }

async function renderFilters() {
  let chans = [];
  try { chans = (await get("/api/dash/channels")).channels; } catch (e) { /* the list still works */ }
  if (!root) return;
  const form = root.querySelector("#rec-filters");
  form.textContent = "";
  const field = (key, input) => el("label", null, t(key), input);
  const ch = el("select", { name: "channel" }, el("option", { value: "" }, t("rec.all")),
    chans.map((c) => el("option", { value: c.id, selected: c.id === filter.channel }, c.name + " (" + c.id + ")")));
  const date = el("input", { name: "date", type: "date", value: filter.date });
  const subject = el("input", { name: "subject", value: filter.subject, size: "10" });
  const teacher = el("input", { name: "teacher", value: filter.teacher, size: "8" });
  const state = el("select", { name: "state" }, el("option", { value: "" }, t("rec.all")),
    ["recording", "complete", "recovered", "failed", "uploaded"].map((s) => el("option", { value: s, selected: s === filter.state }, t("state." + s))));
  form.append(field("rec.channel", ch), field("rec.date", date), field("rec.subject", subject), field("rec.teacher", teacher), field("rec.state", state),
    el("button", { type: "submit", class: "primary" }, t("rec.search")));
  form.onsubmit = (ev) => {
    ev.preventDefault();
    Object.assign(filter, { channel: ch.value, date: date.value, subject: subject.value.trim(), teacher: teacher.value.trim(), state: state.value, page: 1 });
    load();
  };
}

async function load() {
  const q = new URLSearchParams({ page: filter.page, per_page: perPage });
  for (const k of ["channel", "date", "subject", "teacher", "state"]) if (filter[k]) q.set(k, filter[k]);
  const list = root && root.querySelector("#rec-list");
  if (!list) return;
  let data;
  try { data = await get("/api/dash/records?" + q); } catch (e) {
    list.textContent = "";
    list.append(el("p", { class: "error-text" }, problemText(e)));
    return;
  }
  if (!root) return;
  growing = data.records.some((r) => r.state === "recording");
  list.textContent = "";
  if (!data.records.length) { list.append(el("p", { class: "muted", id: "rec-none" }, t("rec.none"))); return; }
  const rows = data.records.map((r) => el("tr", { id: "rec-" + r.id, dataset: { state: r.state } },
    el("td", { class: "hide-narrow" }, r.cover_url ? el("img", { src: r.cover_url, alt: "", style: "height:40px" }) : null),
    el("td", null, r.channel),
    el("td", null, fmtDateTime(r.start)),
    el("td", null, [r.subject, r.teacher].filter(Boolean).join(" · ") || (r.trigger === "manual" ? t("rec.manual") : "")),
    el("td", { class: "dur" }, fmtDuration(r.duration_ns / 1e9)),
    el("td", { class: "size" }, fmtBytes(r.size)),
    el("td", null, el("span", { class: "badge " + r.state }, t("state." + r.state)), r.reason ? el("div", { class: "muted" }, r.reason) : null),
    el("td", null, r.url ? [
      el("button", { type: "button", class: "play", onclick: () => play(r) }, t("rec.play")), " ",
      el("a", { href: r.url, download: r.path.split("/").pop() }, t("rec.download"))] : null)));
  list.append(el("div", { class: "scroll" }, el("table", { id: "rec-table" },
    el("thead", null, el("tr", null, el("th", { class: "hide-narrow" }), el("th", null, t("rec.channel")), el("th", null, t("rec.start")),
      el("th", null, t("rec.subject")), el("th", null, t("rec.duration")), el("th", null, t("rec.size")), el("th", null, t("rec.state")), el("th"))),
    el("tbody", null, rows))));
  const pages = Math.max(1, Math.ceil(data.total / perPage));
  list.append(el("div", { class: "row" },
    el("button", { type: "button", id: "rec-prev", disabled: filter.page <= 1, onclick: () => { filter.page--; load(); } }, t("rec.prev")),
    el("span", { id: "rec-page" }, t("rec.page", { page: filter.page, pages, total: data.total })),
    el("button", { type: "button", id: "rec-next", disabled: filter.page >= pages, onclick: () => { filter.page++; load(); } }, t("rec.next"))));
}

function play(r) {
  const box = root.querySelector("#rec-player");
  box.textContent = "";
  const video = el("video", { controls: true, autoplay: true, playsinline: true, src: r.url, id: "rec-video" });
  video.muted = true;
  box.append(el("div", { class: "card player" },
    el("div", { class: "section-title" }, el("h3", null, r.channel + " · " + fmtDateTime(r.start) + " " + [r.subject, r.teacher].filter(Boolean).join(" · ")),
      el("button", { type: "button", onclick: () => { box.textContent = ""; } }, t("rec.close"))),
    video));
  box.scrollIntoView();
}
