// The page's calls to the box: JSON in and out, the CSRF token on every
// change, and errors as exceptions carrying the server's answer.
import { t } from "./i18n.js";

export const session = { auth: false, user: "", role: "admin", csrf: "" };

export function isAdmin() { return !session.auth || session.role === "admin"; }

export class APIError extends Error {
  constructor(status, body) {
    super((body && body.error) || ("HTTP " + status));
    this.status = status;
    this.body = body || {};
  }
}

// onSignedOut is set by the app: a 401 on any call shows the sign-in form.
export const hooks = { onSignedOut: null };

export async function call(method, path, body) {
  const opts = { method, headers: {}, credentials: "same-origin" };
  if (method !== "GET") {
    if (session.csrf) opts.headers["X-CSRF-Token"] = session.csrf;
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
  }
  let resp;
  try {
    resp = await fetch(path, opts);
  } catch (e) {
    throw new APIError(0, { error: t("err.network", { error: e.message }) });
  }
  let data = null;
  const text = await resp.text();
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: text.slice(0, 300) }; }
  if (!resp.ok) {
    if (resp.status === 401 && session.auth && hooks.onSignedOut && !path.startsWith("/api/auth/")) hooks.onSignedOut();
    if (resp.status === 403 && !(data && data.error)) data = { error: t("err.forbidden") };
    throw new APIError(resp.status, data);
  }
  return data;
}

export const get = (p) => call("GET", p);
export const post = (p, b) => call("POST", p, b === undefined ? {} : b);
export const put = (p, b) => call("PUT", p, b);
export const del = (p) => call("DELETE", p);

// el builds an element: el("div", {class: "x", onclick: fn}, child, "text").
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const k in attrs || {}) {
    const v = attrs[k];
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(e.dataset, v);
    else if (v === true) e.setAttribute(k, "");
    else e.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

// problemText renders the problems of a refused change, codes named.
export function problemText(err) {
  const b = err.body || {};
  const ps = b.problems || [];
  if (!ps.length) return err.message;
  return ps.map((p) => (p.code ? "[" + p.code + " " + t("code." + p.code) + "] " : "") + (p.field ? p.field + ": " : "") + p.msg).join("\n");
}
