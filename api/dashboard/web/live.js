// Live: one tile per channel. HTTP-FLV through mpegts.js for low latency,
// hls.js when MSE live playback is missing; a codec the browser cannot
// decode gets words and a refreshing snapshot instead of a black player;
// a broken camera shows its error and when it is tried again.
import { t, fmtTime, fmtDuration, originLabel } from "./i18n.js";
import { get, post, el, isAdmin, problemText } from "./api.js";

const tiles = new Map(); // channel id -> tile
let root = null;

const mimes = { H264: 'video/mp4; codecs="avc1.42E01E"', H265: 'video/mp4; codecs="hvc1.1.6.L93.B0"' };

// canPlay asks the browser whether it decodes the codec in MSE.
export function canPlay(codec) {
  if (!codec || !mimes[codec]) return true; // not known yet: try
  return !!(window.MediaSource && MediaSource.isTypeSupported(mimes[codec]));
}

export function show(section) {
  root = section;
  if (!section.querySelector(".grid")) {
    section.textContent = "";
    section.append(el("div", { class: "grid", id: "tiles" }), el("p", { class: "muted", id: "live-empty", hidden: true }));
  } else {
    for (const tile of tiles.values()) tile.render(); // language switch
  }
  tick();
}

export function leave() {
  for (const tile of tiles.values()) tile.destroy();
  tiles.clear();
  if (root) root.textContent = "";
}

export async function tick() {
  if (!root) return;
  let data;
  try { data = await get("/api/dash/channels"); } catch (e) { return; }
  if (!root || root.hidden) return;
  const grid = root.querySelector("#tiles");
  const seen = new Set();
  for (const ch of data.channels) {
    seen.add(ch.id);
    let tile = tiles.get(ch.id);
    if (!tile) {
      tile = new Tile(ch);
      tiles.set(ch.id, tile);
      grid.append(tile.node);
    }
    tile.update(ch);
  }
  for (const [id, tile] of tiles) {
    if (!seen.has(id)) { tile.destroy(); tile.node.remove(); tiles.delete(id); }
  }
  const empty = root.querySelector("#live-empty");
  empty.hidden = data.channels.length > 0;
  empty.textContent = t("live.empty");
}

class Tile {
  constructor(ch) {
    this.ch = ch;
    this.player = null;
    this.kind = "";
    this.firstTime = null;
    this.snapTimer = 0;
    this.video = el("video", { muted: true, autoplay: true, playsinline: true });
    this.video.muted = true;
    this.img = el("img", { alt: "", hidden: true });
    this.note = el("div", { class: "note", hidden: true });
    this.screen = el("div", { class: "screen" }, this.video, this.img, this.note);
    this.title = el("h3");
    this.meta = el("div", { class: "muted" });
    this.pushes = el("div", { class: "muted pushes" });
    this.controls = el("div", { class: "row controls" });
    this.node = el("div", { class: "card tile", id: "tile-" + ch.id, dataset: { channel: ch.id, playing: "no" } },
      this.title, this.screen, this.meta, this.pushes, this.controls);
    // Playing means the clock of the current player advanced by a second.
    this.video.addEventListener("timeupdate", () => {
      const now = this.video.currentTime;
      if (this.firstTime === null || now < this.firstTime) this.firstTime = now;
      if (now > this.firstTime + 1) this.node.dataset.playing = "yes";
    });
  }

  update(ch) {
    this.ch = ch;
    const supported = canPlay(ch.video_codec);
    this.node.dataset.codec = ch.video_codec || "";
    this.node.dataset.supported = supported ? "yes" : "no";
    if (!supported) {
      this.stopPlayer();
      this.showSnapshot();
    } else if (!this.player) {
      this.startPlayer();
    }
    this.render();
  }

  render() {
    const ch = this.ch;
    this.title.textContent = ch.name + (ch.name !== ch.id ? " (" + ch.id + ")" : "");
    this.meta.textContent = [ch.tracks || "", originLabel(ch.origin), this.kind ? t("live.player", { p: this.kind }) : ""].filter(Boolean).join(" · ");
    // One line per RTMP push: where (key hidden), its state, and trouble.
    this.pushes.textContent = "";
    for (const p of ch.pushes || []) {
      const parts = [t("push.line", { url: p.url }), t("push." + p.state)];
      if (p.reconnects) parts.push(t("push.reconnects", { n: p.reconnects }));
      if (p.drops) parts.push(t("push.drops", { n: p.drops }));
      if (p.error && p.state !== "pushing") parts.push(p.error);
      this.pushes.append(el("div", { class: "push push-" + p.state }, parts.join(" · ")));
    }
    // The note over the picture: unplayable codec, broken camera, or nothing.
    let note = "", bad = false;
    if (!canPlay(ch.video_codec)) {
      note = t("live.h265", { codec: ch.video_codec }) + (ch.snapshot ? "" : " " + t("live.noSnapshot"));
    } else if (!ch.up && ch.last_error) {
      note = t("live.broken", { error: ch.last_error }) + (ch.next_retry ? " · " + t("live.retry", { time: fmtTime(ch.next_retry) }) : "");
      bad = true;
    } else if (!ch.up && this.node.dataset.playing !== "yes") {
      note = t("live.connecting");
    }
    this.note.hidden = !note;
    this.note.textContent = note;
    this.note.className = "note" + (bad ? " bad" : "");
    this.node.dataset.broken = bad ? "yes" : "no";
    this.renderControls();
  }

  renderControls() {
    const ch = this.ch, c = this.controls;
    const rec = ch.recording;
    const key = JSON.stringify([rec && rec.phase, rec && rec.trigger, isAdmin(), this.stopping]);
    const status = c.querySelector(".rec-status");
    if (c.dataset.key === key && status) {
      status.textContent = this.recText();
      return;
    }
    c.dataset.key = key;
    c.textContent = "";
    c.append(el("span", { class: "rec-status rec" }, this.recText()));
    if (!isAdmin()) return;
    if (rec && (rec.phase === "recording" || rec.phase === "gap")) {
      if (!this.stopping) {
        c.append(el("button", { type: "button", class: "danger stop", onclick: () => { this.stopping = true; this.renderControls(); } }, t("live.stop")));
      } else {
        const reason = el("input", { class: "reason", placeholder: t("live.reason"), maxlength: "200" });
        const msg = el("span", { class: "error-text" });
        c.append(reason, el("button", { type: "button", class: "danger confirm-stop", onclick: async () => {
          if (!reason.value.trim()) { msg.textContent = t("live.reasonRequired"); return; }
          try {
            await post("/api/dash/record/stop", { channel: ch.id, reason: reason.value });
            this.stopping = false;
            tick();
          } catch (e) { msg.textContent = problemText(e); }
        } }, t("live.stop")), el("button", { type: "button", onclick: () => { this.stopping = false; this.renderControls(); } }, t("ch.cancel")), msg);
      }
      return;
    }
    const dur = el("select", { class: "duration", "aria-label": t("live.duration") },
      [15, 30, 45, 90].map((m) => el("option", { value: m + "m", selected: m === 45 }, t("min", { n: m }))));
    const msg = el("span", { class: "error-text" });
    c.append(dur, el("button", { type: "button", class: "primary start", onclick: async () => {
      try {
        await post("/api/dash/record/start", { channel: ch.id, duration: dur.value });
        tick();
      } catch (e) { msg.textContent = problemText(e); }
    } }, t("live.start")), msg);
  }

  recText() {
    const rec = this.ch.recording;
    if (!rec) return "";
    if (rec.phase === "waiting") return t("live.waiting");
    const dur = fmtDuration((Date.now() - new Date(rec.start).getTime()) / 1000);
    return rec.subject ? t("live.recCourse", { subject: rec.subject, dur }) : t("live.rec", { dur });
  }

  startPlayer() {
    this.img.hidden = true;
    this.video.hidden = false;
    clearInterval(this.snapTimer);
    this.snapTimer = 0;
    const ch = this.ch;
    const video = this.video;
    this.firstTime = null;
    const retry = (...why) => {
      // The camera is away: the tile says why (last_error); try again soon.
      window.lubo.noteError("player " + ch.id + ": " + why.map(String).join(" "));
      this.stopPlayer();
      this.retryTimer = setTimeout(() => { if (tiles.get(ch.id) === this && canPlay(this.ch.video_codec)) this.startPlayer(); }, 3000);
    };
    if (window.mpegts && mpegts.getFeatureList().mseLivePlayback) {
      const p = mpegts.createPlayer({ type: "flv", isLive: true, url: new URL(ch.flv, location.href).href },
        { enableStashBuffer: false, liveBufferLatencyChasing: true, lazyLoad: false });
      p.on(mpegts.Events.ERROR, retry);
      p.attachMediaElement(video);
      p.load();
      const pl = p.play();
      if (pl && pl.catch) pl.catch(() => {});
      this.player = { destroy: () => { p.pause(); p.unload(); p.detachMediaElement(); p.destroy(); } };
      this.kind = "HTTP-FLV";
    } else if (window.Hls && Hls.isSupported()) {
      const h = new Hls({ liveDurationInfinity: true });
      h.on(Hls.Events.ERROR, (_, d) => { if (d.fatal) retry(); });
      h.loadSource(ch.hls);
      h.attachMedia(video);
      video.play().catch(() => {});
      this.player = { destroy: () => h.destroy() };
      this.kind = "HLS";
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = ch.hls;
      video.play().catch(() => {});
      this.player = { destroy: () => { video.removeAttribute("src"); video.load(); } };
      this.kind = "HLS";
    }
  }

  stopPlayer() {
    clearTimeout(this.retryTimer);
    if (this.player) {
      try { this.player.destroy(); } catch (e) { /* already gone */ }
      this.player = null;
    }
  }

  showSnapshot() {
    this.video.hidden = true;
    this.img.hidden = false;
    this.kind = "";
    const load = () => { if (this.ch.snapshot) this.img.src = this.ch.snapshot + "?t=" + Date.now(); };
    if (!this.snapTimer) { load(); this.snapTimer = setInterval(load, 5000); }
  }

  destroy() {
    this.stopPlayer();
    clearInterval(this.snapTimer);
    this.snapTimer = 0;
  }
}
