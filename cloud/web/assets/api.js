// The HQ API as the dashboard's pages call it: same-origin requests carrying the token the person
// pasted at sign-in, kept in this tab's sessionStorage (never a cookie: nothing for another site's
// form to ride on) and sent as `Authorization: Bearer`. A page opened without a token, or whose
// token the hub refuses, goes to sign-in. Also the frame's parts that depend on who is signed in:
// the name and role, the elements only some roles use (data-roles="network_admin analyst"), and
// sign-out, which forgets the token. And the table cell every page's tables are made of.
"use strict";
window.regua = window.regua || {};
(function (regua) {
  const KEY = "regua.hub.token";

  function toSignIn() {
    sessionStorage.removeItem(KEY);
    location.assign("/signin");
  }

  // Answers the body; an error answer throws an Error carrying its status and body.
  async function request(path, options) {
    const token = sessionStorage.getItem(KEY);
    if (!token) {
      toSignIn();
      throw new Error("signed out");
    }
    const headers = { ...(options.headers || {}), Authorization: "Bearer " + token };
    const res = await fetch(path, { ...options, headers, credentials: "omit" });
    if (res.status === 401) {
      toSignIn();
      throw new Error("signed out");
    }
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      const e = new Error(body.error || res.statusText);
      e.status = res.status;
      e.body = body;
      throw e;
    }
    return body;
  }

  regua.get = (path) => request(path, {});
  regua.post = (path, body) =>
    request(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

  // Who is signed in ({name, role, store, network}); pages wait on it before they draw.
  regua.me = sessionStorage.getItem(KEY) ? request("/api/v1/me", {}) : (toSignIn(), new Promise(() => {}));
  // Appends a cell with `text` (never parsed as HTML) to a table row and answers it.
  regua.cell = (row, text, className) => {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  };
  regua.may = (me, roles) => roles.split(/\s+/).includes(me.role);

  Promise.all([regua.me, regua.ready]).then(([me]) => {
    for (const el of document.querySelectorAll("[data-roles]")) el.hidden = !regua.may(me, el.dataset.roles);
    const who = document.getElementById("who");
    const showWho = () => {
      if (who) who.textContent = me.name + " · " + regua.t("role_" + me.role) + (me.store ? " " + me.store : "");
    };
    showWho();
    document.addEventListener("regua:lang", showWho);
  });

  const signout = document.getElementById("signout");
  if (signout) signout.addEventListener("click", toSignIn);
})(window.regua);
