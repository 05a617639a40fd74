// Small behaviours the pages need, kept out of inline scripts so the
// Content-Security-Policy can forbid them.
document.addEventListener("change", function (e) {
  var el = e.target;
  if (el.matches && el.matches("select[data-autosubmit]")) {
    el.form.requestSubmit();
  }
});
document.addEventListener("click", function (e) {
  var el = e.target.closest ? e.target.closest("[data-confirm]") : null;
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    e.preventDefault();
  }
});
// Upload progress for forms with a [data-upload-progress] box: the bar
// follows the bytes sent, then turns indeterminate while the server checks
// the file. (htmx reports upload and download progress alike; the first
// time the upload completes, later events are the response.)
document.addEventListener("htmx:beforeRequest", function (e) {
  var box = e.target.querySelector && e.target.querySelector("[data-upload-progress]");
  if (!box) return;
  box.removeAttribute("data-uploaded");
  var bar = box.querySelector("progress");
  bar.max = 100;
  bar.value = 0;
  box.querySelector("[data-upload-label]").textContent = "Uploading…";
});
document.addEventListener("htmx:xhr:progress", function (e) {
  var box = e.target.querySelector && e.target.querySelector("[data-upload-progress]");
  if (!box || box.hasAttribute("data-uploaded") || !e.detail.lengthComputable) return;
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-upload-label]");
  if (e.detail.loaded < e.detail.total) {
    var pct = Math.floor((100 * e.detail.loaded) / e.detail.total);
    bar.value = pct;
    label.textContent = "Uploading… " + pct + " %";
    return;
  }
  box.setAttribute("data-uploaded", "");
  bar.removeAttribute("value"); // indeterminate
  label.textContent = "Uploaded. Checking every row…";
});
// Save progress for forms with a [data-apply-progress] box: while the
// request runs, the box asks the address it names how far the save has got
// (JSON: label, done, total), half a second after each answer, and stops
// when the save's answer comes.
document.addEventListener("htmx:beforeRequest", function (e) {
  var form = e.target;
  var box = form.querySelector && form.querySelector("[data-apply-progress]");
  if (!box) return;
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-progress-label]");
  if (!label.hasAttribute("data-initial")) label.setAttribute("data-initial", label.textContent);
  label.textContent = label.getAttribute("data-initial");
  bar.removeAttribute("value"); // indeterminate until the first answer
  var running = true;
  var timer = setTimeout(ask, 500);
  function ask() {
    if (!running || !box.isConnected) return;
    fetch(box.getAttribute("data-apply-progress"), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p || !running) return;
        label.textContent = p.label;
        if (p.total > 0) {
          bar.max = p.total;
          bar.value = p.done;
        } else {
          bar.removeAttribute("value");
        }
      })
      .catch(function () {})
      .then(function () {
        if (running) timer = setTimeout(ask, 500);
      });
  }
  function stop() {
    running = false;
    clearTimeout(timer);
    form.removeEventListener("htmx:afterRequest", stop);
  }
  form.addEventListener("htmx:afterRequest", stop);
});
// htmx swaps only 2xx answers, so an error page (a full disk, a conflict, a
// lost session) would otherwise leave the page as it was with no word. Show
// the error page's title and message, as text, at the top of the page.
function showRequestError(text) {
  var main = document.getElementById("main");
  if (!main) return;
  var box = main.querySelector("[data-request-error]");
  if (!box) {
    box = document.createElement("div");
    box.className = "flash error";
    box.setAttribute("role", "alert");
    box.setAttribute("data-request-error", "");
    main.insertBefore(box, main.firstChild);
  }
  box.textContent = text;
  box.scrollIntoView({ block: "nearest" });
}
document.addEventListener("htmx:responseError", function (e) {
  var xhr = e.detail.xhr;
  var text = "The request failed (" + xhr.status + "). Nothing was saved; try again.";
  var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
  var panel = doc.querySelector("[data-testid=error]");
  if (panel) {
    var parts = [];
    panel.querySelectorAll("p").forEach(function (el) {
      if (!el.querySelector("a")) parts.push(el.textContent.trim());
    });
    var title = panel.querySelector("h1");
    text = (title ? title.textContent.trim() + ": " : "") + parts.join(" ");
  }
  showRequestError(text);
});
document.addEventListener("htmx:sendError", function () {
  showRequestError("Dropline could not be reached. Nothing was saved; check the connection and try again.");
});
// Copy buttons: [data-copy] puts its value on the clipboard (the customer's
// address, to paste into a supplier's checkout) and says so.
document.addEventListener("click", function (e) {
  var el = e.target.closest ? e.target.closest("[data-copy]") : null;
  if (!el || !navigator.clipboard) return;
  e.preventDefault();
  navigator.clipboard.writeText(el.getAttribute("data-copy")).then(function () {
    var was = el.textContent;
    el.textContent = "Copied";
    setTimeout(function () { el.textContent = was; }, 1500);
  });
});
// A box that scrolls sideways (a wide table's .scroll box, or a bare table
// on a phone) joins the tab order while it scrolls, so the keyboard can
// scroll it too; it leaves again when the window grows to fit it.
function markScrollers() {
  document.querySelectorAll(".scroll, main table").forEach(function (el) {
    var o = getComputedStyle(el).overflowX;
    var scrolls = (o === "auto" || o === "scroll") && el.scrollWidth > el.clientWidth + 1;
    if (scrolls && !el.hasAttribute("tabindex")) {
      el.setAttribute("tabindex", "0");
      el.setAttribute("data-scroll-focus", "");
    } else if (!scrolls && el.hasAttribute("data-scroll-focus")) {
      el.removeAttribute("tabindex");
      el.removeAttribute("data-scroll-focus");
    }
  });
}
document.addEventListener("DOMContentLoaded", markScrollers);
document.addEventListener("htmx:afterSettle", markScrollers);
var scrollerTimer;
window.addEventListener("resize", function () {
  clearTimeout(scrollerTimer);
  scrollerTimer = setTimeout(markScrollers, 150);
});
// Lists with ticked rows (issue 26): the header box ticks every row of the
// page, the action bar says how many are ticked and sticks to the bottom
// of the window while any is, and its export links carry the ticked rows.
// Without script the boxes and buttons work as plain form controls and the
// export link exports the whole filtered list.
function dlSelection(form) {
  var boxes = form.querySelectorAll("input[type=checkbox][data-row-select]");
  var ticked = [];
  for (var i = 0; i < boxes.length; i++) {
    if (boxes[i].checked) ticked.push(boxes[i]);
  }
  var all = form.querySelector("[data-select-all]");
  if (all) {
    all.checked = ticked.length > 0 && ticked.length === boxes.length;
    all.indeterminate = ticked.length > 0 && ticked.length < boxes.length;
  }
  var bar = form.querySelector("[data-action-bar]");
  if (!bar) return;
  bar.classList.toggle("has-selection", ticked.length > 0);
  var label = bar.querySelector("[data-selection-count]");
  if (label) label.textContent = ticked.length === 0 ? label.getAttribute("data-none") : ticked.length + " selected";
  var links = bar.querySelectorAll("a[data-export]");
  for (var j = 0; j < links.length; j++) {
    var u = new URL(links[j].getAttribute("data-export"), window.location.href);
    for (var k = 0; k < ticked.length; k++) u.searchParams.append(ticked[k].name, ticked[k].value);
    links[j].setAttribute("href", u.pathname + u.search);
  }
}
document.addEventListener("change", function (e) {
  var el = e.target;
  if (!el.matches || !el.form || !el.matches("[data-select-all], [data-row-select]")) return;
  if (el.matches("[data-select-all]")) {
    var boxes = el.form.querySelectorAll("input[type=checkbox][data-row-select]");
    for (var i = 0; i < boxes.length; i++) boxes[i].checked = el.checked;
  }
  dlSelection(el.form);
});
// A list swapped in by htmx, or restored by the back button, starts from
// what its boxes say.
function dlSelectionAll() {
  var bars = document.querySelectorAll("[data-action-bar]");
  for (var i = 0; i < bars.length; i++) {
    var form = bars[i].closest("form");
    if (form) dlSelection(form);
  }
}
document.addEventListener("htmx:afterSettle", dlSelectionAll);
window.addEventListener("pageshow", dlSelectionAll);
