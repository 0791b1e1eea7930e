// RestAuth demo page: plain JavaScript, no build step, no dependencies.
// Reads /demo/config.json, then drives the dj-rest-auth endpoints under its prefix.
// Token mode keeps the DRF key in sessionStorage; JWT mode keeps the access token in
// memory only and gets a new one from token/refresh/ (the HttpOnly refresh cookie).
// Two-factor authentication (the mfa/ routes) shows when the server has them: mfa/status/
// answers 404 when MFA is off. A login answering mfa_required goes on with mfa/verify/.
// Passkeys (the passkeys/ routes) show when the configuration says the server has them and the
// browser has WebAuthn: the options' base64url members become ArrayBuffers for
// navigator.credentials, and the credential goes back as PublicKeyCredential.toJSON() writes it.
// Element ids: forms form-<form>, inputs <form>-<field>, buttons <form>-submit,
// errors error-<form>-<field> and error-<form>-non_field_errors.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const TOKEN_KEY = "restauth-demo-token";
  const STATE_KEY = "restauth-demo-social-state";
  const LANGUAGE_KEY = "restauth-demo-language";
  // GitHub gives the verified primary address only with user:email.
  const SCOPES = { google: "openid email profile", github: "user:email" };
  let cfg = null;
  let token = null; // DRF token key (token mode)
  let access = null; // JWT access token: memory only
  let refreshToken = null; // only when the server hands it out in the body (no HttpOnly cookie)
  let refreshing = null;
  let user = null;
  let ephemeralToken = null; // between a login's password and its second step: memory only
  let activationToken = null; // between the QR code and the first code: memory only
  let mfaAvailable = true; // until mfa/status/ answers 404

  function cookie(name) {
    const hit = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return hit ? decodeURIComponent(hit.slice(name.length + 1)) : null;
  }

  // The language the server answers in: the one chosen on the page, else the browser's
  // (navigator.languages, most preferred first, as Accept-Language with q-values).
  function acceptLanguage() {
    const chosen = localStorage.getItem(LANGUAGE_KEY);
    if (chosen) return chosen;
    const list = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || "en"];
    return list.slice(0, 8).map((l, i) => (i === 0 ? l : `${l};q=${(1 - i / 10).toFixed(1)}`)).join(", ");
  }

  async function call(path, method = "GET", body = undefined, retry = true) {
    const headers = { Accept: "application/json", "Accept-Language": acceptLanguage() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (cfg.use_jwt && access) headers.Authorization = "Bearer " + access;
    if (!cfg.use_jwt && token) headers.Authorization = "Token " + token;
    const csrf = cookie(cfg.csrf_cookie_name || "csrftoken");
    if (method !== "GET" && csrf) headers[cfg.csrf_header_name || "X-CSRFToken"] = csrf; // session (or JWT cookie) auth
    let res;
    try {
      res = await fetch(cfg.prefix + path, {
        // same-origin: Origin and Referer stay on, for Django's CSRF check, whatever the page's own policy
        method, headers, credentials: "same-origin", referrerPolicy: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      return { ok: false, status: 0, data: { detail: "The server cannot be reached." } };
    }
    let data = {};
    try { data = await res.json(); } catch (err) { data = res.ok ? {} : { detail: `Error ${res.status}.` }; }
    if (res.status === 401 && cfg.use_jwt && retry && path !== "token/refresh/" && (await refresh())) {
      return call(path, method, body, false);
    }
    return { ok: res.ok, status: res.status, data: data || {} };
  }

  // JWT: one refresh at a time; the refresh cookie goes along with credentials: same-origin.
  function refresh() {
    if (!cfg.use_jwt) return Promise.resolve(false);
    if (!refreshing) {
      refreshing = call("token/refresh/", "POST", refreshToken ? { refresh: refreshToken } : undefined, false)
        .then((r) => {
          access = r.ok ? r.data.access : null;
          if (r.ok && r.data.refresh) refreshToken = r.data.refresh;
          return r.ok;
        })
        .finally(() => { refreshing = null; });
    }
    return refreshing;
  }

  function say(text, kind = "ok") {
    const el = $("message");
    el.textContent = text;
    el.dataset.kind = kind;
    el.hidden = !text;
    if (text) el.scrollIntoView({ block: "nearest" });
  }

  function clearErrors(form) {
    document.querySelectorAll(`[id^="error-${form}-"]`).forEach((el) => { el.textContent = ""; });
    document.querySelectorAll(`#form-${form} [aria-invalid]`).forEach((el) => el.removeAttribute("aria-invalid"));
  }

  // DRF errors: {"field": ["msg"]}, {"non_field_errors": [...]}, {"detail": "..."}.
  function showErrors(form, data, aliases = {}) {
    clearErrors(form);
    const general = [];
    for (const [key, value] of Object.entries(data)) {
      if ((key === "code" && !Array.isArray(value)) || key === "messages") continue; // simplejwt's error code
      const msgs = (Array.isArray(value) ? value : [value]).map((m) => (typeof m === "string" ? m : JSON.stringify(m)));
      const field = aliases[key] || key;
      const el = $(`error-${form}-${field}`);
      if (key === "detail" || key === "non_field_errors" || !el) {
        general.push(...(key === "detail" || key === "non_field_errors" ? msgs : msgs.map((m) => `${key}: ${m}`)));
        continue;
      }
      el.textContent = msgs.join(" ");
      const input = $(`${form}-${field}`);
      if (input) input.setAttribute("aria-invalid", "true");
    }
    $(`error-${form}-non_field_errors`).textContent = general.join(" ");
  }

  // The sign-up body: an optional field (ACCOUNT_SIGNUP_FIELDS) left empty is left out,
  // since the server refuses a blank one.
  function signupValues() {
    const body = values("signup");
    const required = cfg.signup_fields || {};
    for (const name of ["username", "email"]) if (required[name] === false && body[name] === "") delete body[name];
    return body;
  }

  function values(form) {
    const out = {};
    for (const el of $(`form-${form}`).elements) if (el.name && !el.readOnly) out[el.name] = el.value;
    return out;
  }

  // Runs a form's request with its button disabled; shows errors or calls done(data).
  function onSubmit(form, handler) {
    $(`form-${form}`).addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = $(`${form}-submit`);
      button.disabled = true;
      say("");
      clearErrors(form);
      try { await handler(); } finally { button.disabled = false; }
    });
  }

  async function post(form, path, body, done, aliases) {
    const r = await call(path, "POST", body);
    if (r.ok) {
      clearErrors(form);
      await done(r.data);
    } else {
      showErrors(form, r.data, aliases);
      if (r.status === 401 && user) await signedOut("Your session has ended. Please log in again.", "error");
    }
  }

  function home() { history.replaceState(null, "", "/"); }

  async function signedIn(data) {
    if (data.key) { token = data.key; sessionStorage.setItem(TOKEN_KEY, token); }
    if (data.access) access = data.access;
    if (data.refresh) refreshToken = data.refresh;
    if (data.user) user = data.user;
    if (!(await loadUser())) say("Logged in, but the profile could not be read.", "error");
  }

  async function signedOut(text, kind) {
    token = access = refreshToken = user = null;
    sessionStorage.removeItem(TOKEN_KEY);
    resetMFA();
    render();
    if (text) say(text, kind);
  }

  async function loadUser() {
    const r = await call("user/");
    user = r.ok ? r.data : null;
    render();
    if (r.ok) await loadMFA();
    await loadPasskeys();
    return r.ok;
  }

  function render() {
    $("signed-in").hidden = !user;
    $("signed-out").hidden = !!user;
    $("whoami").textContent = user ? `Signed in as ${user.username || user.email}` : "Not signed in";
    if (user) {
      for (const f of ["email", "username", "first_name", "last_name"]) $(`profile-${f}`).value = user[f] || "";
      $("password-username").value = user.username || "";
    }
  }

  function setupLogin() {
    const methods = cfg.login_methods || ["username"];
    const byEmail = methods.includes("email");
    const byUsername = methods.includes("username");
    $("login-login-label").textContent = byEmail && byUsername ? "Username or e-mail" : byEmail ? "E-mail" : "Username";
    if (byEmail && !byUsername) $("login-login").type = "email";
    onSubmit("login", async () => {
      const v = values("login");
      const body = { password: v.password };
      if (byEmail && (!byUsername || v.login.includes("@"))) body.email = v.login; else body.username = v.login;
      await post("login", "login/", body, async (data) => {
        $("form-login").reset();
        if (data.mfa_required) $("login-login").value = v.login; // for a new try if the second step expires
        await loggedIn(data);
      }, { username: "login", email: "login" });
    });
  }

  // A login's answer (login/, a provider's, mfa/verify/): signed in, or the second step.
  async function loggedIn(data, text = "You are logged in.") {
    if (data.mfa_required) return secondStep(data.ephemeral_token);
    await signedIn(data);
    say(text);
  }

  // --- two-factor authentication -------------------------------------------------------
  // Codes as typed: authenticator apps show "123 456", so spaces are dropped.
  const typedCode = (form) => values(form).code.replace(/\s+/g, "");

  function secondStep(ephemeral) {
    ephemeralToken = ephemeral;
    $("form-login").hidden = true;
    $("social").hidden = true;
    $("form-mfa-verify").reset();
    clearErrors("mfa-verify");
    $("form-mfa-verify").hidden = false;
    render();
    $("mfa-verify-code").focus();
  }

  function endSecondStep() {
    ephemeralToken = null;
    $("form-mfa-verify").reset();
    clearErrors("mfa-verify");
    $("form-mfa-verify").hidden = true;
    $("form-login").hidden = false;
    $("social").hidden = (cfg.providers || []).length === 0;
  }

  function setupSecondStep() {
    onSubmit("mfa-verify", async () => {
      const r = await call("mfa/verify/", "POST", { ephemeral_token: ephemeralToken || "", code: typedCode("mfa-verify") });
      if (r.ok) {
        endSecondStep();
        $("form-login").reset();
        return loggedIn(r.data);
      }
      if (r.data.ephemeral_token) {
        // Expired (the password step is only good for a few minutes) or already spent.
        endSecondStep();
        showErrors("login", { non_field_errors: [...[].concat(r.data.ephemeral_token), "Please log in again."] });
        $($("login-login").value ? "login-password" : "login-login").focus();
        return;
      }
      showErrors("mfa-verify", r.data);
      $("mfa-verify-code").select();
    });
    $("mfa-verify-cancel").addEventListener("click", () => {
      endSecondStep();
      $($("login-login").value ? "login-password" : "login-login").focus();
    });
  }

  function resetMFA() {
    activationToken = null;
    for (const form of ["mfa-activate", "mfa-deactivate"]) { $(`form-${form}`).reset(); clearErrors(form); }
    clearErrors("mfa-manage");
    $("form-mfa-activate").hidden = true;
    $("mfa-activate-qr").removeAttribute("src");
    $("mfa-activate-secret").textContent = "";
    showDeactivate(false);
    showCodes(null);
  }

  function when(stamp) {
    const t = stamp ? new Date(stamp) : null;
    return t && !isNaN(t) ? t.toLocaleString() : null;
  }

  // --- passkeys -----------------------------------------------------------------------------
  const fromB64u = (text) => Uint8Array.from(
    atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4)), (c) => c.charCodeAt(0)).buffer;
  const toB64u = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const passkeysOn = () => !!(cfg && cfg.passkeys && window.PublicKeyCredential && navigator.credentials);
  const descriptors = (list) => (list || []).map((d) => ({ ...d, id: fromB64u(d.id) }));

  // PublicKeyCredential.toJSON(), written out for browsers that lack it.
  function credentialJSON(c) {
    const r = c.response;
    const json = { id: c.id, rawId: toB64u(c.rawId), type: c.type, response: { clientDataJSON: toB64u(r.clientDataJSON) },
      clientExtensionResults: c.getClientExtensionResults ? c.getClientExtensionResults() : {} };
    if (c.authenticatorAttachment) json.authenticatorAttachment = c.authenticatorAttachment;
    if (r.attestationObject) {
      json.response.attestationObject = toB64u(r.attestationObject);
      json.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      json.response.authenticatorData = toB64u(r.authenticatorData);
      json.response.signature = toB64u(r.signature);
      json.response.userHandle = r.userHandle ? toB64u(r.userHandle) : null;
    }
    return json;
  }

  // The browser's refusals (the user cancelled, no passkey for this site) in words.
  function webauthnError(err) {
    if (err && err.name === "InvalidStateError") return "This device already holds one of your passkeys.";
    if (err && err.name === "NotAllowedError") return "No passkey was used (cancelled, or none for this site).";
    return `The browser refused: ${(err && err.message) || err}`;
  }

  async function loadPasskeys() {
    $("passkey-login-block").hidden = !passkeysOn();
    $("section-passkeys").hidden = !passkeysOn() || !user;
    if ($("section-passkeys").hidden) return;
    const r = await call("passkeys/");
    const list = $("passkeys-list");
    list.replaceChildren();
    if (!r.ok) return showErrors("passkeys", r.data);
    for (const p of r.data) {
      const item = document.createElement("li");
      const label = document.createElement("span");
      label.className = "passkey-name";
      label.textContent = p.name;
      const detail = document.createElement("span");
      detail.className = "passkey-detail";
      detail.textContent = ` added ${when(p.created_at)}, ${p.last_used_at ? `last used ${when(p.last_used_at)}` : "not used yet"} `;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.id = `passkey-delete-${p.id}`;
      remove.textContent = "Delete";
      remove.setAttribute("aria-label", `Delete the passkey ${p.name}`);
      remove.addEventListener("click", async () => {
        remove.disabled = true;
        clearErrors("passkeys");
        const d = await call(`passkeys/${p.id}/`, "DELETE");
        if (!d.ok && d.status !== 404) {
          remove.disabled = false;
          return showErrors("passkeys", d.data);
        }
        say(`The passkey "${p.name}" is deleted.`);
        await loadPasskeys();
      });
      item.append(label, detail, remove);
      list.append(item);
    }
    if (!r.data.length) {
      const item = document.createElement("li");
      item.textContent = "No passkeys yet.";
      list.append(item);
    }
  }

  function setupPasskeys() {
    onSubmit("passkey-add", async () => {
      const begin = await call("passkeys/register/begin/", "POST", {});
      if (!begin.ok) return showErrors("passkey-add", begin.data);
      const o = begin.data;
      let credential;
      try {
        credential = await navigator.credentials.create({ publicKey: { ...o, challenge: fromB64u(o.challenge),
          user: { ...o.user, id: fromB64u(o.user.id) }, excludeCredentials: descriptors(o.excludeCredentials) } });
      } catch (err) {
        return showErrors("passkey-add", { non_field_errors: [webauthnError(err)] });
      }
      const name = values("passkey-add").name.trim();
      const body = { credential: credentialJSON(credential) };
      if (name) body.name = name;
      const r = await call("passkeys/register/complete/", "POST", body);
      if (!r.ok) return showErrors("passkey-add", r.data);
      $("form-passkey-add").reset();
      say(`The passkey "${r.data.name}" is added: you can sign in with it.`);
      await loadPasskeys();
    });
    $("passkey-login").addEventListener("click", async () => {
      const button = $("passkey-login");
      button.disabled = true;
      say("");
      clearErrors("passkey-login");
      try {
        // A name typed in the login form scopes the options to that user's passkeys.
        const typed = $("login-login").value.trim();
        const begin = await call("passkeys/login/begin/", "POST", typed ? (typed.includes("@") ? { email: typed } : { username: typed }) : {});
        if (!begin.ok) return showErrors("passkey-login", begin.data);
        const { session_id: session, ...o } = begin.data;
        let credential;
        try {
          credential = await navigator.credentials.get({ publicKey: { ...o, challenge: fromB64u(o.challenge),
            allowCredentials: descriptors(o.allowCredentials) } });
        } catch (err) {
          return showErrors("passkey-login", { non_field_errors: [webauthnError(err)] });
        }
        const r = await call("passkeys/login/complete/", "POST", { credential: credentialJSON(credential), session_id: session });
        if (!r.ok) return showErrors("passkey-login", r.data);
        $("form-login").reset();
        await loggedIn(r.data, "You are logged in with your passkey.");
      } finally { button.disabled = false; }
    });
  }

  // mfa/status/: 404 when the server has no MFA (the card stays hidden).
  async function loadMFA() {
    const r = mfaAvailable ? await call("mfa/status/") : { status: 404 };
    if (r.status === 404) mfaAvailable = false;
    $("section-mfa").hidden = !mfaAvailable || !user;
    if (!mfaAvailable || !user) return;
    if (!r.ok) {
      $("mfa-status").textContent = "";
      $("mfa-off").hidden = $("mfa-on").hidden = true;
      return showErrors("mfa-manage", r.data);
    }
    const on = !!r.data.mfa_enabled;
    if (on) {
      const since = when(r.data.created_at), used = when(r.data.last_used_at);
      $("mfa-status").textContent = `On${since ? ` since ${since}` : ""}: logging in asks for a code from your authenticator app after the password.`
        + (used ? ` Last used ${used}.` : "");
    } else {
      $("mfa-status").textContent = "Off: logging in needs only your password.";
    }
    $("mfa-on").hidden = !on;
    $("mfa-off").hidden = on || !$("form-mfa-activate").hidden;
    if (on) $("form-mfa-activate").hidden = true;
    else { showDeactivate(false); showCodes(null); }
  }

  // codes: a list to show, or null to hide them.
  function showCodes(codes, note) {
    const list = $("mfa-codes-list");
    list.replaceChildren();
    for (const code of codes || []) {
      const li = document.createElement("li");
      li.textContent = code;
      list.appendChild(li);
    }
    $("mfa-codes").hidden = !codes;
    if (codes) {
      $("mfa-codes-note").textContent = codes.length ? note || "Keep these codes somewhere safe, such as a password manager. "
        + "Each one signs you in once, in place of a code from your app, if you lose it."
        : "No unused recovery codes are left. Regenerate them to get new ones.";
    }
    $("mfa-codes-show").setAttribute("aria-expanded", String(!!codes));
    $("mfa-codes-show").textContent = codes ? "Hide recovery codes" : "Show recovery codes";
  }

  function showDeactivate(open) {
    $("form-mfa-deactivate").hidden = !open;
    $("mfa-deactivate-start").setAttribute("aria-expanded", String(open));
    if (!open) { $("form-mfa-deactivate").reset(); clearErrors("mfa-deactivate"); }
  }

  // A card button's request with the button disabled; errors at the card's top.
  function onClick(id, handler) {
    $(id).addEventListener("click", async () => {
      const button = $(id);
      button.disabled = true;
      say("");
      clearErrors("mfa-manage");
      try { await handler(); } finally { button.disabled = false; }
    });
  }

  async function mfaFailed(form, r) {
    showErrors(form, r.data);
    if (r.status === 401 && user) await signedOut("Your session has ended. Please log in again.", "error");
  }

  function setupMFA() {
    onClick("mfa-activate-start", async () => {
      const r = await call("mfa/totp/activate/");
      if (!r.ok) return mfaFailed("mfa-manage", r);
      activationToken = r.data.activation_token;
      $("mfa-activate-qr").src = r.data.qr_code_data_uri;
      $("mfa-activate-secret").textContent = r.data.secret;
      $("form-mfa-activate").reset();
      clearErrors("mfa-activate");
      showCodes(null);
      $("mfa-off").hidden = true;
      $("form-mfa-activate").hidden = false;
      $("mfa-activate-code").focus();
    });
    onSubmit("mfa-activate", async () => {
      const r = await call("mfa/totp/activate/", "POST", { activation_token: activationToken || "", code: typedCode("mfa-activate") });
      if (!r.ok) {
        if (r.status === 400 && r.data.detail) { // already on (another tab): show it
          resetMFA();
          await loadMFA();
          return showErrors("mfa-manage", r.data);
        }
        if (r.data.activation_token) {
          // The offer expired: a new QR code and key are needed.
          r.data = { non_field_errors: [...[].concat(r.data.activation_token), "Press Cancel, then Turn on again for a new key."] };
        }
        return mfaFailed("mfa-activate", r);
      }
      resetMFA();
      await loadMFA();
      showCodes(r.data.recovery_codes || []);
      say("Two-factor authentication is on. Save your recovery codes now.");
      $("h-mfa-codes").focus();
    });
    $("mfa-activate-cancel").addEventListener("click", () => {
      activationToken = null;
      clearErrors("mfa-activate");
      $("form-mfa-activate").hidden = true;
      $("mfa-activate-qr").removeAttribute("src");
      $("mfa-activate-secret").textContent = "";
      $("mfa-off").hidden = false;
      $("mfa-activate-start").focus();
    });
    onClick("mfa-codes-show", async () => {
      if (!$("mfa-codes").hidden) return showCodes(null);
      const r = await call("mfa/recovery-codes/", "POST");
      if (!r.ok) return mfaFailed("mfa-manage", r);
      showCodes(r.data.codes || []);
    });
    onClick("mfa-codes-regenerate", async () => {
      const r = await call("mfa/recovery-codes/regenerate/", "POST");
      if (!r.ok) return mfaFailed("mfa-manage", r);
      showCodes(r.data.codes || [], "Your new recovery codes: the old ones no longer work. "
        + "Keep these somewhere safe; each one signs you in once if you lose your authenticator app.");
      say("New recovery codes are ready. Save them now.");
      $("h-mfa-codes").focus();
    });
    $("mfa-deactivate-start").addEventListener("click", () => {
      const open = $("form-mfa-deactivate").hidden;
      showDeactivate(open);
      if (open) $("mfa-deactivate-code").focus();
    });
    $("mfa-deactivate-cancel").addEventListener("click", () => {
      showDeactivate(false);
      $("mfa-deactivate-start").focus();
    });
    onSubmit("mfa-deactivate", async () => {
      const r = await call("mfa/totp/deactivate/", "POST", { code: typedCode("mfa-deactivate") });
      if (!r.ok) {
        if (r.status === 400 && r.data.detail) { // already off (another tab): show it
          await loadMFA();
          return showErrors("mfa-manage", r.data);
        }
        return mfaFailed("mfa-deactivate", r);
      }
      resetMFA();
      await loadMFA();
      say(r.data.detail || "Two-factor authentication is off.");
      $("mfa-activate-start").focus();
    });
  }

  function setupSocial() {
    const providers = cfg.providers || [];
    $("social").hidden = providers.length === 0;
    for (const p of providers) {
      const b = document.createElement("button");
      b.type = "button";
      b.id = `social-${p.id}`;
      b.className = "secondary";
      b.textContent = `Continue with ${p.name}`;
      b.disabled = !p.authorize_url || !p.client_id;
      b.addEventListener("click", () => {
        const state = crypto.getRandomValues(new Uint32Array(4)).join("-");
        sessionStorage.setItem(STATE_KEY, state);
        const q = new URLSearchParams({
          // The server exchanges the code with its configured callback URL: the same one, or
          // the provider refuses (set SOCIALACCOUNT_<PROVIDER>_CALLBACK_URL to this page's).
          client_id: p.client_id, redirect_uri: p.callback_url || `${location.origin}/social/${p.id}/callback/`,
          response_type: "code", state,
        });
        if (p.scope || SCOPES[p.id]) q.set("scope", p.scope || SCOPES[p.id]);
        location.assign(p.authorize_url + (p.authorize_url.includes("?") ? "&" : "?") + q);
      });
      $("social-buttons").appendChild(b);
    }
  }

  async function socialCallback(id) {
    const provider = (cfg.providers || []).find((p) => p.id === id);
    $("section-social-callback").hidden = false;
    $("social-callback-name").textContent = provider ? provider.name : id;
    const q = new URLSearchParams(location.search);
    const expected = sessionStorage.getItem(STATE_KEY);
    sessionStorage.removeItem(STATE_KEY);
    const fail = (text) => { $("error-social-non_field_errors").textContent = text; };
    if (q.get("error")) return fail(`The provider answered: ${q.get("error_description") || q.get("error")}`);
    if (!q.get("code")) return fail("The provider sent no code.");
    // No state of ours, or another: a link someone else started (login CSRF). Refused.
    if (!expected || q.get("state") !== expected) return fail("This sign-in was not started here (state mismatch).");
    const r = await call(`${id}/`, "POST", { code: q.get("code") });
    if (!r.ok) return showErrors("social", r.data);
    home();
    $("section-social-callback").hidden = true;
    await loggedIn(r.data, `You are logged in with ${provider ? provider.name : id}.`);
  }

  function setupForms() {
    setupLogin();
    setupSecondStep();
    setupMFA();
    onSubmit("signup", () => post("signup", "registration/", signupValues(), async (data) => {
      $("form-signup").reset();
      if (data.key || data.access) { await signedIn(data); say("Welcome! Your account is ready."); }
      else say(`${data.detail || "Signed up."} Follow the link in the e-mail to confirm your address.`);
    }));
    onSubmit("resend", () => post("resend", "registration/resend-email/", values("resend"), () => {
      say("If that address is waiting for confirmation, a new e-mail is on its way.");
    }));
    onSubmit("reset", () => post("reset", "password/reset/", values("reset"), (data) => {
      say(data.detail || "Password reset e-mail has been sent.");
    }));
    onSubmit("profile", async () => {
      const { username, first_name, last_name } = values("profile");
      const r = await call("user/", "PATCH", { username, first_name, last_name });
      if (!r.ok) return showErrors("profile", r.data);
      user = r.data;
      render();
      say("Profile saved.");
    });
    onSubmit("password", () => {
      const body = values("password");
      if ($("password-old").hidden) delete body.old_password;
      return post("password", "password/change/", body, (data) => {
        $("form-password").reset();
        say(data.detail || "New password has been saved.");
      }).then(() => {
        if ($("error-password-old_password").textContent) $("password-old").hidden = false;
      });
    });
    onSubmit("logout", async () => {
      await call("logout/", "POST", cfg.use_jwt && refreshToken ? { refresh: refreshToken } : undefined, false);
      await signedOut("You are logged out.");
    });
  }

  function setupRoute() {
    const path = location.pathname;
    let m = path.match(/^\/account-confirm-email\/([^/]+)\/?$/);
    if (m) {
      const key = decodeURIComponent(m[1]);
      $("section-confirm-email").hidden = false;
      onSubmit("confirm-email", () => post("confirm-email", "registration/verify-email/", { key }, () => {
        $("section-confirm-email").hidden = true;
        home();
        say("Your e-mail address is confirmed. You can log in now.");
      }));
      return null;
    }
    m = path.match(/^\/password-reset\/confirm\/([^/]+)\/([^/]+)\/?$/);
    if (m) {
      const [uid, tok] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
      $("section-reset-confirm").hidden = false;
      onSubmit("reset-confirm", () => {
        const body = { uid, token: tok, ...values("reset-confirm") };
        return post("reset-confirm", "password/reset/confirm/", body, (data) => {
          $("section-reset-confirm").hidden = true;
          home();
          say(`${data.detail || "Your password has been reset."} You can log in with it now.`);
        });
      });
      return null;
    }
    m = path.match(/^\/social\/([^/]+)\/callback\/?$/);
    return m ? decodeURIComponent(m[1]) : null;
  }

  async function start() {
    try {
      const res = await fetch("/demo/config.json", { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      cfg = await res.json();
    } catch (err) {
      $("fatal").textContent = `The demo configuration could not be loaded (${err.message}).`;
      $("fatal").hidden = false;
      $("whoami").textContent = "";
      return;
    }
    cfg.prefix = cfg.prefix || "/dj-rest-auth/";
    const auth = cfg.use_jwt ? "JWT" : cfg.token_model === false ? "session" : "token";
    $("mode").textContent = `Mode: ${auth}${cfg.session_login ? " + session" : ""} · e-mail verification: ${cfg.email_verification}`;
    if (cfg.old_password_field_enabled) $("password-old").hidden = false;
    for (const [name, required] of Object.entries(cfg.signup_fields || {})) {
      const input = $(`signup-${name}`);
      if (!input || required) continue;
      input.required = false;
      const label = document.querySelector(`label[for="signup-${name}"]`);
      if (label) label.textContent += " (optional)";
    }
    document.querySelectorAll("form input[id]").forEach((input) => {
      if ($(`error-${input.id}`)) input.setAttribute("aria-describedby", `error-${input.id}`);
    });
    const language = $("language");
    language.value = localStorage.getItem(LANGUAGE_KEY) || "";
    language.addEventListener("change", () => {
      if (language.value) localStorage.setItem(LANGUAGE_KEY, language.value);
      else localStorage.removeItem(LANGUAGE_KEY);
    });
    setupForms();
    setupSocial();
    setupPasskeys();
    $("passkey-login-block").hidden = !passkeysOn();
    const social = setupRoute();
    if (!cfg.use_jwt) token = sessionStorage.getItem(TOKEN_KEY);
    if (social) await socialCallback(social);
    else if ((cfg.use_jwt && (await refresh())) || token || cfg.session_login) {
      if (!(await loadUser()) && token) { token = null; sessionStorage.removeItem(TOKEN_KEY); }
    }
    render();
    document.body.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", start);
})();
