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
