// The app's JSON API as pages call it: same-origin requests with the session cookie, the session's
// CSRF token on every request that changes something, and a signed-out visitor sent to sign in.
// Also the frame's sign-out button (_layout.html), the same on every page.
"use strict";
window.regua = window.regua || {};
(function (regua) {
  let csrf = null;

  async function request(path, options) {
    const res = await fetch(path, { ...options, credentials: "same-origin" });
    if (res.status === 401) {
      location.assign("/signin");
      throw new Error("signed out");
    }
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || res.statusText);
    return body;
  }

  regua.get = (path) => request(path, {});
  regua.post = async (path, body) => {
    if (csrf === null) csrf = (await request("/app/api/session", {})).csrf;
    return request(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
  };

  const signout = document.getElementById("signout");
  if (signout) {
    signout.addEventListener("click", async () => {
      await regua.post("/app/api/signout", {});
      location.assign("/signin");
    });
  }
})(window.regua);
