// Countersign console: small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Times arrive as <time datetime="ISO instant">: show them in the viewer's time zone, UTC on hover.
  function localTimes(root) {
    root.querySelectorAll("time[datetime]:not([data-local])").forEach(function (el) {
      var at = new Date(el.getAttribute("datetime"));
      if (isNaN(at.getTime())) return;
      el.title = at.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z").replace("Z", " UTC");
      el.textContent = at.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
      el.setAttribute("data-local", "");
    });
  }
  // "Select all" picks every visible request for a bulk decision.
  function selectAll(event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-select-all]")) return;
    document.querySelectorAll("input[type=checkbox][form=" + box.getAttribute("data-select-all") + "]").forEach(function (pick) {
      pick.checked = box.checked;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { localTimes(document); });
  document.addEventListener("htmx:afterSwap", function (event) { localTimes(event.target); });
  document.addEventListener("change", selectAll);
})();
