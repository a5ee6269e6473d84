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
