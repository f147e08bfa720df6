// Every string of the page, in Chinese first and English. The browser's
// language picks the default; the switch is remembered in localStorage.
const zh = {
  title: "录播管理",
  "nav.live": "直播", "nav.timetable": "课表", "nav.channels": "通道", "nav.records": "录像",
  "lang.switch": "English",
  "auth.open": "未启用登录：同一网络中的任何人都可以修改本设备。",
  "auth.title": "登录", "auth.user": "用户名", "auth.password": "密码", "auth.login": "登录",
  "auth.logout": "退出", "auth.wrong": "用户名或密码错误", "auth.slow": "尝试次数过多，请稍后再试",
  "auth.as": "{user}（{role}）", "role.admin": "管理员", "role.viewer": "观看者",
  "status.disk": "磁盘可用 {free} / {total}", "status.diskUnknown": "磁盘：尚未统计",
  "status.retention": "保留：至少空闲 {minFree}", "status.maxAge": "，最长 {maxAge}",
  "status.outbox": "上传队列", "status.cloudOK": "{name} 正常（{when}）", "status.cloudErr": "{name} 出错：{error}",
  "status.cloudNever": "{name} 尚未同步",
  "status.configStale": "配置文件有错误，设备仍按上一个正确版本运行：", "status.version": "版本 {v}",
  "status.uptime": "已运行 {d}", "status.starting": "设备正在启动…", "status.recording": "{n} 路正在录像",
  "live.empty": "还没有通道。管理员可在“通道”页添加。",
  "live.h265": "此浏览器无法播放 {codec} 视频，下面是每隔几秒刷新一次的截图。",
  "live.noSnapshot": "还没有截图。",
  "live.broken": "摄像机连接失败：{error}", "live.retry": "将于 {time} 重试",
  "live.connecting": "正在连接摄像机…", "live.idle": "按需通道：观看时才连接",
  "live.rec": "录像中 {dur}", "live.recCourse": "录像中：{subject} {dur}", "live.waiting": "等待课程开始",
  "live.duration": "时长", "live.start": "开始录像", "live.stop": "提前停止",
  "live.reason": "停止原因（会记录在日志中）", "live.reasonRequired": "请填写停止原因",
  "live.player": "播放方式：{p}",
  "push.line": "推流 {url}", "push.connecting": "连接中", "push.pushing": "推流中", "push.waiting": "等待重连",
  "push.stopped": "已停止", "push.reconnects": "重连 {n} 次", "push.drops": "丢帧 {n}",
  "min": "{n} 分钟",
  "tt.channel": "通道", "tt.week": "每周课表", "tt.now": "正在录制", "tt.next": "下一节",
  "tt.none": "无", "tt.add": "添加课程", "tt.edit": "修改课程", "tt.delete": "删除",
  "tt.weekday": "星期", "tt.start": "开始时间", "tt.duration": "时长（如 45m、1h30m）",
  "tt.subject": "科目", "tt.teacher": "教师", "tt.save": "保存", "tt.cancel": "取消",
  "tt.confirmDelete": "删除这节课？", "tt.unused": "未生效的课程", "tt.readonly": "只读：来自{origin}",
  "tt.noCourses": "这个通道的课程由{origin}提供", "tt.empty": "还没有通道。",
  "origin.config": "配置文件", "origin.yunlubo": "云录播服务器", "origin.api": "接口", "origin.dashboard": "管理页面",
  "code.1010": "没有编号", "code.1011": "时间格式不正确", "code.1012": "与已有课程时间重叠", "code.1013": "不支持跨天课程",
  "ch.add": "添加通道", "ch.edit": "编辑", "ch.remove": "删除", "ch.test": "测试",
  "ch.id": "编号（小写字母、数字、-、_）", "ch.name": "名称", "ch.kind": "类型",
  "kind.url": "视频地址", "kind.device": "海康/大华设备", "kind.cloud": "云摄像机", "kind.file": "本地文件", "kind.publisher": "推流",
  "ch.source": "地址（rtsp://、rtmp://、http(s)://…flv）", "ch.cloudSource": "云摄像机地址（如 ezviz://序列号/1）",
  "ch.vendor": "厂家", "ch.host": "IP 地址", "ch.port": "端口", "ch.user": "用户名", "ch.password": "密码",
  "ch.devChannel": "设备通道号", "ch.stream": "码流", "stream.main": "主码流", "stream.sub": "子码流", "stream.both": "主+子码流",
  "ch.onDemand": "按需拉流（有人观看或录像时才连接）",
  "ch.save": "保存", "ch.cancel": "取消", "ch.testing": "正在测试…", "ch.testOK": "可以播放：{tracks}",
  "ch.testFail": "失败：{error}", "ch.readonly": "来自{origin}（只读）", "ch.confirmRemove": "删除通道 {id}？",
  "ch.idCol": "编号", "ch.readonlyShort": "只读", "ch.saved": "已保存", "ch.removed": "已删除", "ch.origin": "来源", "ch.state": "状态", "ch.up": "在线", "ch.down": "离线",
  "rec.channel": "通道", "rec.date": "日期", "rec.subject": "课程", "rec.teacher": "教师", "rec.state": "状态",
  "rec.all": "全部", "rec.search": "查询", "rec.start": "开始", "rec.duration": "时长", "rec.size": "大小",
  "rec.play": "播放", "rec.download": "下载", "rec.none": "没有录像", "rec.page": "第 {page} / {pages} 页，共 {total} 条",
  "rec.prev": "上一页", "rec.next": "下一页", "rec.close": "关闭", "rec.manual": "手动录像",
  "state.recording": "录像中", "state.complete": "完成", "state.recovered": "已恢复", "state.failed": "失败", "state.uploaded": "已上传",
  "err.network": "网络错误：{error}", "err.forbidden": "没有权限（需要管理员）", "err.signedOut": "登录已过期，请重新登录",
  "loading": "加载中…",
};

const en = {
  title: "Lesson recorder",
  "nav.live": "Live", "nav.timetable": "Timetable", "nav.channels": "Channels", "nav.records": "Recordings",
  "lang.switch": "中文",
  "auth.open": "Open: sign-in is off, anyone on the network can change this box.",
  "auth.title": "Sign in", "auth.user": "User", "auth.password": "Password", "auth.login": "Sign in",
  "auth.logout": "Sign out", "auth.wrong": "Wrong user or password", "auth.slow": "Too many attempts; wait a moment",
  "auth.as": "{user} ({role})", "role.admin": "admin", "role.viewer": "viewer",
  "status.disk": "Disk free {free} of {total}", "status.diskUnknown": "Disk: not measured yet",
  "status.retention": "Retention keeps {minFree} free", "status.maxAge": ", at most {maxAge}",
  "status.outbox": "Upload queue", "status.cloudOK": "{name} OK ({when})", "status.cloudErr": "{name} failing: {error}",
  "status.cloudNever": "{name} not synced yet",
  "status.configStale": "The config file has errors; the box runs its last good version:", "status.version": "version {v}",
  "status.uptime": "up {d}", "status.starting": "The box is starting…", "status.recording": "{n} recording",
  "live.empty": "No channels yet. An admin adds them on the Channels page.",
  "live.h265": "This browser cannot play {codec} video; here is a snapshot refreshed every few seconds.",
  "live.noSnapshot": "No snapshot yet.",
  "live.broken": "Camera failed: {error}", "live.retry": "retrying at {time}",
  "live.connecting": "Connecting to the camera…", "live.idle": "On demand: connects while watched",
  "live.rec": "Recording {dur}", "live.recCourse": "Recording: {subject} {dur}", "live.waiting": "Waiting for the lesson",
  "live.duration": "Duration", "live.start": "Record", "live.stop": "Stop early",
  "live.reason": "Why stop early (logged)", "live.reasonRequired": "Give a reason",
  "live.player": "player: {p}",
  "push.line": "push {url}", "push.connecting": "connecting", "push.pushing": "pushing", "push.waiting": "waiting to reconnect",
  "push.stopped": "stopped", "push.reconnects": "{n} reconnects", "push.drops": "{n} frames dropped",
  "min": "{n} min",
  "tt.channel": "Channel", "tt.week": "Weekly timetable", "tt.now": "Recording now", "tt.next": "Next",
  "tt.none": "none", "tt.add": "Add course", "tt.edit": "Edit course", "tt.delete": "Delete",
  "tt.weekday": "Weekday", "tt.start": "Start", "tt.duration": "Duration (e.g. 45m, 1h30m)",
  "tt.subject": "Subject", "tt.teacher": "Teacher", "tt.save": "Save", "tt.cancel": "Cancel",
  "tt.confirmDelete": "Delete this course?", "tt.unused": "Courses not in use", "tt.readonly": "read-only: from {origin}",
  "tt.noCourses": "This channel's courses come from {origin}", "tt.empty": "No channels yet.",
  "origin.config": "config file", "origin.yunlubo": "云录播 server", "origin.api": "API", "origin.dashboard": "dashboard",
  "code.1010": "no such id", "code.1011": "bad time", "code.1012": "overlaps another course", "code.1013": "crosses midnight",
  "ch.add": "Add channel", "ch.edit": "Edit", "ch.remove": "Remove", "ch.test": "Test",
  "ch.id": "Id (a-z, 0-9, - and _)", "ch.name": "Name", "ch.kind": "Kind",
  "kind.url": "Stream URL", "kind.device": "Hikvision/Dahua device", "kind.cloud": "Cloud camera", "kind.file": "Local file", "kind.publisher": "Pushed",
  "ch.source": "URL (rtsp://, rtmp://, http(s)://…flv)", "ch.cloudSource": "Cloud camera URL (e.g. ezviz://SERIAL/1)",
  "ch.vendor": "Vendor", "ch.host": "IP address", "ch.port": "Port", "ch.user": "User", "ch.password": "Password",
  "ch.devChannel": "Device channel", "ch.stream": "Stream", "stream.main": "main", "stream.sub": "sub", "stream.both": "main + sub",
  "ch.onDemand": "On demand (connect only while watched or recorded)",
  "ch.save": "Save", "ch.cancel": "Cancel", "ch.testing": "Testing…", "ch.testOK": "Plays: {tracks}",
  "ch.testFail": "Failed: {error}", "ch.readonly": "from {origin} (read-only)", "ch.confirmRemove": "Remove channel {id}?",
  "ch.idCol": "Id", "ch.readonlyShort": "read-only", "ch.saved": "Saved", "ch.removed": "Removed", "ch.origin": "Origin", "ch.state": "State", "ch.up": "up", "ch.down": "down",
  "rec.channel": "Channel", "rec.date": "Date", "rec.subject": "Course", "rec.teacher": "Teacher", "rec.state": "State",
  "rec.all": "all", "rec.search": "Search", "rec.start": "Start", "rec.duration": "Duration", "rec.size": "Size",
  "rec.play": "Play", "rec.download": "Download", "rec.none": "No recordings", "rec.page": "page {page} of {pages}, {total} in all",
  "rec.prev": "Previous", "rec.next": "Next", "rec.close": "Close", "rec.manual": "manual",
  "state.recording": "recording", "state.complete": "complete", "state.recovered": "recovered", "state.failed": "failed", "state.uploaded": "uploaded",
  "err.network": "Network error: {error}", "err.forbidden": "Not allowed (admins only)", "err.signedOut": "Signed out; sign in again",
  "loading": "Loading…",
};

const dicts = { zh, en };

function pick() {
  const saved = localStorage.getItem("lubo.lang");
  if (saved === "zh" || saved === "en") return saved;
  const nav = (navigator.language || "zh").toLowerCase();
  return nav.startsWith("zh") ? "zh" : "en";
}

export let lang = pick();
const locales = { zh: "zh-CN", en: "en-GB" };

export function setLang(l) {
  lang = l;
  localStorage.setItem("lubo.lang", l);
  document.documentElement.lang = locales[l];
}
document.documentElement.lang = locales[lang];

// t translates key, filling {name} from vars.
export function t(key, vars) {
  let s = dicts[lang][key];
  if (s === undefined) s = dicts.zh[key] !== undefined ? dicts.zh[key] : key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
  return s;
}

export function locale() { return locales[lang]; }

let tz;
export function setTimeZone(z) { tz = z; }

function dtf(opts) {
  try { return new Intl.DateTimeFormat(locale(), Object.assign({ timeZone: tz }, opts)); }
  catch (e) { return new Intl.DateTimeFormat(locale(), opts); }
}

export function fmtDateTime(v) {
  return dtf({ year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }).format(new Date(v));
}
export function fmtTime(v) {
  return dtf({ hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }).format(new Date(v));
}
// weekdayName names weekday w (0 Sunday) in the page's language.
export function weekdayName(w, style) {
  const sunday = new Date(Date.UTC(2026, 10, 22, 12)); // a Sunday
  return new Intl.DateTimeFormat(locale(), { weekday: style || "long", timeZone: "UTC" }).format(new Date(sunday.getTime() + w * 86400000));
}
export function fmtBytes(n) {
  if (!n) return "0 B";
  const u = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: i ? 1 : 0 }).format(n) + " " + u[i];
}
export function fmtDuration(sec) {
  sec = Math.max(0, Math.round(sec));
  const h = Math.floor(sec / 3600), m = Math.floor(sec / 60) % 60, s = sec % 60;
  const p = (x) => String(x).padStart(2, "0");
  return (h ? h + ":" + p(m) : m) + ":" + p(s);
}
export function fmtUptime(sec) {
  const d = Math.floor(sec / 86400), h = Math.floor(sec / 3600) % 24, m = Math.floor(sec / 60) % 60;
  if (lang === "zh") return (d ? d + " 天 " : "") + (h ? h + " 小时 " : "") + m + " 分钟";
  return (d ? d + "d " : "") + (h ? h + "h " : "") + m + "m";
}
export function originLabel(o) { return t("origin." + o) === "origin." + o ? o : t("origin." + o); }
