/* translate-pipeline review: live checks and keyboard shortcuts.
 * The page works without this file; it adds:
 *  - the checks of the translation as it is typed (POST check),
 *  - Ctrl+Enter approve (and go to the next entry), Alt+N next,
 *    Alt+P previous, Alt+E the editor,
 *  - the chips of the original inserting their markup into the editor. */
(function () {
  "use strict";
  var form = document.querySelector("form.edit");
  var editor = document.getElementById("editor");
  if (!form || !editor) return;
  var checks = document.getElementById("checks");
  var timer = null;

  function show(result) {
    checks.textContent = "";
    (result.markup || []).forEach(function (problem) {
      var item = document.createElement("li");
      item.className = "blocking";
      item.textContent = "markup: " + problem;
      checks.appendChild(item);
    });
    (result.warnings || []).forEach(function (warning) {
      var item = document.createElement("li");
      item.className = "warning";
      item.textContent = warning;
      checks.appendChild(item);
    });
  }

  function check() {
    var body = new URLSearchParams();
    body.set("e", form.elements.e.value);
    body.set("text", editor.value);
    body.set("csrf", form.elements.csrf.value);
    fetch(form.getAttribute("action").replace(/approve$/, "check"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRF-Token": form.elements.csrf.value}
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (result) {
      if (result) show(result);
    }).catch(function () { /* the server stopped: the checks stay as they were */ });
  }

  editor.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  });

  document.addEventListener("click", function (event) {
    var chip = event.target.closest ? event.target.closest("button.chip") : null;
    if (!chip) return;
    var text = chip.getAttribute("data-insert");
    var start = editor.selectionStart, end = editor.selectionEnd;
    editor.setRangeText(text, start, end, "end");
    editor.focus();
    editor.dispatchEvent(new Event("input"));
  });

  function go(id) {
    var link = document.getElementById(id);
    if (link && link.href) location.href = link.href;
  }

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      var button = document.getElementById("approve-anyway") || document.getElementById("approve");
      if (form.requestSubmit) form.requestSubmit(button); else button.click();
    } else if (event.altKey && !event.ctrlKey) {
      var key = event.key.toLowerCase();
      if (key === "n") { event.preventDefault(); go("next"); }
      else if (key === "p") { event.preventDefault(); go("previous"); }
      else if (key === "e") { event.preventDefault(); editor.focus(); }
    }
  });
})();
