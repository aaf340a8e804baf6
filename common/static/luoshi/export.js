// A list's "Export to Excel": say the workbook is being prepared until the download starts
// (the server answers once the file is written; a large list takes seconds).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-export]");
    if (!link) return;
    var box = document.querySelector(".export-progress");
    if (!box) return;
    box.textContent = link.getAttribute("data-export");
    box.hidden = false;
    link.setAttribute("aria-busy", "true");
    // the download does not leave the page: the response sets a short cookie when it starts
    var started = Date.now();
    var timer = setInterval(function () {
      if (document.cookie.indexOf("luoshi_export_done=") !== -1 || Date.now() - started > 120000) {
        clearInterval(timer);
        document.cookie = "luoshi_export_done=; Max-Age=0; path=/";
        box.hidden = true;
        link.removeAttribute("aria-busy");
      }
    }, 500);
  });
})();
