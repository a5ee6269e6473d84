// ketnoi: progressive enhancement only; every page works without this script.
"use strict";

// A form marked data-once is sent once: a second click while it is on its way does nothing.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-once")) return;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  // Disabled after the browser has read the clicked button's name and value.
  setTimeout(() => form.querySelectorAll("button").forEach((b) => { b.disabled = true; }), 0);
});

// Back to a page from the browser's cache: its forms can be sent again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  document.querySelectorAll("form[data-sent]").forEach((form) => {
    delete form.dataset.sent;
    form.querySelectorAll("button").forEach((b) => { b.disabled = false; });
  });
});

// A form shown again with errors: the list of errors gets the focus, for screen readers and
// keyboards alike.
const errors = document.querySelector(".errors");
if (errors) errors.focus();

// Print buttons: shown only where they work.
document.querySelectorAll("[data-print]").forEach((b) => { b.hidden = false; });
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-print]")) window.print();
});

// Instant search: results follow the words as they are typed, and the address follows too,
// so the back button and a shared link give the same results.
const search = document.querySelector("form[data-instant]");
if (search) {
  const results = document.getElementById("results");
  const status = document.getElementById("results-status");
  let timer = 0;
  let latest = 0;
  const refresh = () => {
    const params = new URLSearchParams(new FormData(search));
    for (const [key, value] of [...params]) if (!value) params.delete(key);
    const address = search.action + (params.toString() ? "?" + params : "");
    const ticket = ++latest;
    params.set("fragment", "1");
    fetch(search.action + "?" + params, { headers: { Accept: "text/html" } })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        if (ticket !== latest) return;
        results.innerHTML = html;
        history.replaceState(null, "", address);
        // Screen readers hear the count, not every result.
        const count = results.querySelector(".count");
        if (status && count) status.textContent = count.textContent;
      })
      .catch(() => {});
  };
  const soon = () => { clearTimeout(timer); timer = setTimeout(refresh, 200); };
  search.addEventListener("input", soon);
  search.addEventListener("change", soon);
}

// Live pages: a signed-in member's requests and agenda, an organiser's desk, schedule and
// check-in follow what happens elsewhere. On a change that concerns the user (the stream of
// /api/v1/me/stream), the page's main content is fetched again and put in place — unless the
// user is typing in it, when a notice offers to reload instead. Without the script, a reload
// shows the same.
const live = /^\/e\/[^/]+\/(requests|agenda|organise(\/(schedule|checkin|board))?)$/.test(location.pathname);
if (live && document.querySelector("form[action='/sign-out']") && window.EventSource) {
  const main = document.querySelector("main");
  let pending = 0;
  const busy = () => {
    const field = document.activeElement;
    return main.contains(field) && field.matches("input:not([type=hidden]), textarea, select");
  };
  const refresh = () => {
    pending = 0;
    fetch(location.href, { headers: { Accept: "text/html" } })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main");
        if (!fresh) return;
        if (busy()) {
          const notice = document.getElementById("live-notice");
          if (notice) notice.hidden = false;
          return;
        }
        main.innerHTML = fresh.innerHTML;
        main.dataset.updated = String(Date.now());
      })
      .catch(() => {});
  };
  const stream = new EventSource("/api/v1/me/stream");
  stream.onmessage = () => {};
  const changed = () => { clearTimeout(pending); pending = setTimeout(refresh, 300); };
  for (const kind of ["request-sent", "request-accepted", "request-declined", "request-cancelled",
    "request-expired", "meeting-moved", "meeting-cancelled", "meeting-status-changed", "schedule-run",
    "schedule-published"]) {
    stream.addEventListener(kind, changed);
  }
}
