// Timetable: the weekly grid of one channel with every course, where it
// comes from, what records now and what is next. Admins add, move and
// delete the dashboard's own courses; the server judges them as
// `lubo check` does and its codes (1010-1013) show beside the course.
import { t, weekdayName, fmtDateTime, originLabel } from "./i18n.js";
import { get, post, put, del, el, isAdmin, problemText } from "./api.js";

let root = null;
let data = null;
let channel = "";
const order = [1, 2, 3, 4, 5, 6, 0]; // Monday first, as schools print them

export function show(section) {
  root = section;
  tick();
}
export function leave() { root = null; }

export async function tick() {
  if (!root) return;
  try { data = await get("/api/dash/timetable"); } catch (e) { return; }
  if (!root) return;
  if (document.querySelector(".dialog")) return; // do not redraw under an open form
  render();
}

function endOf(c) {
  const [h, m, s] = c.start.split(":").map(Number);
  const e = h * 3600 + m * 60 + (s || 0) + c.duration_s;
  const p = (x) => String(x).padStart(2, "0");
  return p(Math.floor(e / 3600)) + ":" + p(Math.floor(e / 60) % 60) + ":" + p(e % 60);
}

function courseNode(c, now) {
  const codes = (c.problems || []).filter((p) => p.code).map((p) => p.code + " " + t("code." + p.code));
  const title = [c.subject, c.teacher].filter(Boolean).join(" · ") || c.id;
  const n = el("div", { class: "course o-" + c.origin + (now ? " now" : ""), id: "course-" + c.id, dataset: { id: c.id, origin: c.origin },
    title: (c.problems || []).map((p) => p.msg).join("\n") },
    el("div", null, el("b", null, c.start.slice(0, 5) + "–" + endOf(c).slice(0, 5)), " ", title),
    el("div", { class: "muted" }, originLabel(c.origin)),
    codes.length ? el("div", { class: "codes" }, codes.join("; ")) : null);
  if (c.editable && isAdmin()) n.addEventListener("click", () => openForm(c));
  return n;
}

function render() {
  root.textContent = "";
  if (!data.channels.length) { root.append(el("p", { class: "muted" }, t("tt.empty"))); return; }
  if (!data.channels.some((c) => c.id === channel)) channel = data.channels[0].id;
  const ch = data.channels.find((c) => c.id === channel);
  const pickCh = el("select", { id: "tt-channel", onchange: (e) => { channel = e.target.value; render(); } },
    data.channels.map((c) => el("option", { value: c.id, selected: c.id === channel }, c.name + " (" + c.id + ")")));
  const head = el("div", { class: "section-title" }, el("h2", null, t("tt.week")),
    el("div", null, el("label", null, t("tt.channel") + " ", pickCh), " ",
      isAdmin() && ch.courses ? el("button", { type: "button", class: "primary", id: "tt-add", onclick: () => openForm(null) }, t("tt.add")) : null));
  root.append(head);
  if (!ch.courses) root.append(el("p", { class: "muted" }, t("tt.noCourses", { origin: originLabel(ch.origin) })));

  const cur = data.current.filter((o) => o.channel === channel);
  const next = data.next.filter((o) => o.channel === channel);
  const occ = (o) => [o.subject, o.teacher].filter(Boolean).join(" · ") + " " + fmtDateTime(o.start) + " – " + fmtDateTime(o.end);
  const recNow = data.recording[channel];
  root.append(el("div", { class: "card", id: "tt-summary" },
    el("div", null, el("b", null, t("tt.now") + ": "), cur.length ? cur.map(occ).join("; ") : (recNow === "manual" ? t("rec.manual") : t("tt.none"))),
    el("div", null, el("b", null, t("tt.next") + ": "), next.length ? occ(next[0]) : t("tt.none"))));

  const nowIDs = new Set(cur.map((o) => o.course_id));
  const byDay = {};
  for (const c of data.courses.filter((c) => c.channel === channel)) (byDay[c.weekday] = byDay[c.weekday] || []).push(c);
  const table = el("table", { class: "week", id: "tt-grid" },
    el("thead", null, el("tr", null, order.map((w) => el("th", null, weekdayName(w))))),
    el("tbody", null, el("tr", null, order.map((w) => el("td", { "data-day": weekdayName(w), dataset: { weekday: w } },
      (byDay[w] || []).sort((a, b) => a.start.localeCompare(b.start)).map((c) => courseNode(c, nowIDs.has(c.id))))))));
  root.append(el("div", { class: "scroll" }, table));

  const unused = (data.unused || []).filter((c) => c.channel === channel || !data.channels.some((x) => x.id === c.channel));
  if (unused.length) {
    root.append(el("h3", null, t("tt.unused")), el("div", null, unused.map((c) => courseNode(c, false))));
  }
}

function openForm(course) {
  const c = course || { channel, weekday: 1, start: "08:00:00", duration_s: 45 * 60, subject: "", teacher: "" };
  const f = {
    channel: el("select", { name: "channel" }, data.channels.filter((x) => x.courses).map((x) => el("option", { value: x.id, selected: x.id === c.channel }, x.name + " (" + x.id + ")"))),
    weekday: el("select", { name: "weekday" }, order.map((w) => el("option", { value: w, selected: w === c.weekday }, weekdayName(w)))),
    start: el("input", { name: "start", type: "time", step: "1", value: c.start, required: true }),
    duration: el("input", { name: "duration", value: durText(c.duration_s), required: true }),
    subject: el("input", { name: "subject", value: c.subject || "", maxlength: "64" }),
    teacher: el("input", { name: "teacher", value: c.teacher || "", maxlength: "64" }),
  };
  const msg = el("p", { class: "error-text full", id: "tt-error" });
  const close = () => dlg.remove();
  const form = el("form", { class: "edit", id: "tt-form" },
    el("label", null, t("tt.channel")), f.channel, el("label", null, t("tt.weekday")), f.weekday,
    el("label", null, t("tt.start")), f.start, el("label", null, t("tt.duration")), f.duration,
    el("label", null, t("tt.subject")), f.subject, el("label", null, t("tt.teacher")), f.teacher, msg,
    el("div", { class: "row full" },
      el("button", { type: "submit", class: "primary" }, t("tt.save")),
      el("button", { type: "button", onclick: close }, t("tt.cancel")),
      course ? el("button", { type: "button", class: "danger", id: "tt-delete", onclick: async () => {
        if (!confirm(t("tt.confirmDelete"))) return;
        try { await del("/api/dash/courses/" + encodeURIComponent(course.id)); close(); tick(); } catch (e) { msg.textContent = problemText(e); }
      } }, t("tt.delete")) : null));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { channel: f.channel.value, weekday: Number(f.weekday.value), start: f.start.value, duration: f.duration.value.trim(),
      subject: f.subject.value, teacher: f.teacher.value };
    try {
      if (course) await put("/api/dash/courses/" + encodeURIComponent(course.id), body);
      else await post("/api/dash/courses", body);
      channel = body.channel;
      close();
      tick();
    } catch (e) { msg.textContent = problemText(e); }
  });
  const dlg = el("div", { class: "dialog" }, el("div", { class: "card" }, el("h3", null, course ? t("tt.edit") : t("tt.add")), form));
  document.body.append(dlg);
}

function durText(s) {
  const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = s % 60;
  return (h ? h + "h" : "") + (m ? m + "m" : "") + (sec || !s ? sec + "s" : "");
}
