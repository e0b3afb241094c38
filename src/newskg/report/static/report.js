// The analyst's view: level switch, report switcher and the claim panel. The page works
// without this script (everything shown at the level it was rendered at); the script adds
// switching and the details beside the text. It loads nothing from the network.
(function () {
  "use strict";
  var LEVELS = ["confirmed", "reported", "assessed"];
  var body = document.body;

  // --- how sure: grey (or hide) everything whose best level is weaker than the chosen one ---
  function setLevel(name) {
    var index = LEVELS.indexOf(name);
    if (index < 0) { return; }
    body.setAttribute("data-level", name);
    var items = document.querySelectorAll("[data-level]:not(body)");
    for (var i = 0; i < items.length; i++) {
      var below = parseInt(items[i].getAttribute("data-level"), 10) > index;
      if (below) { items[i].setAttribute("data-below", ""); } else { items[i].removeAttribute("data-below"); }
    }
  }
  var form = document.getElementById("level-switch");
  if (form) {
    form.addEventListener("change", function (event) {
      if (event.target.name === "level") { setLevel(event.target.value); }
      if (event.target.name === "hide-below") { body.classList.toggle("hide-below", event.target.checked); }
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    var checked = form.querySelector("input[name=level]:checked");
    if (checked) { setLevel(checked.value); }
  }

  // --- several reports: show one at a time, chosen by the URL's #fragment ---
  var reports = document.querySelectorAll("article.report");
  var switcher = document.getElementById("report-switcher");
  function showReport() {
    if (!switcher) { return; }
    var hash = decodeURIComponent(window.location.hash.slice(1));
    var target = hash && document.getElementById(hash);
    var chosen = reports[0];
    for (var i = 0; i < reports.length; i++) {
      if (target && (reports[i] === target || reports[i].contains(target))) { chosen = reports[i]; }
    }
    for (var j = 0; j < reports.length; j++) { reports[j].hidden = reports[j] !== chosen; }
    var links = switcher.querySelectorAll("a[data-report]");
    for (var k = 0; k < links.length; k++) {
      links[k].setAttribute("aria-current", links[k].getAttribute("data-report") === chosen.id ? "true" : "false");
    }
    if (target && target !== chosen) { target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", showReport);
  showReport();

  // --- the claim panel: the claims of the focused or hovered passage, copied from the list ---
  var active = null;
  function show(mark) {
    var report = mark.closest("article.report");
    var panel = report && report.querySelector(".claim-panel");
    if (!panel) { return; }
    if (active) { active.classList.remove("active"); }
    active = mark;
    mark.classList.add("active");
    var target = panel.querySelector(".panel-body");
    target.textContent = "";
    var ids = (mark.getAttribute("data-claims") || "").split(" ");
    var heading = document.createElement("p");
    heading.className = "help";
    heading.textContent = ids.length === 1 ? "One claim covers these words." : ids.length + " claims cover these words.";
    target.appendChild(heading);
    for (var i = 0; i < ids.length; i++) {
      var card = document.getElementById(ids[i]);
      if (!card) { continue; }
      var copy = card.cloneNode(true);
      // Copies must not repeat ids; their links still point at the originals.
      copy.removeAttribute("id");
      // The details stay readable whatever the level; a note says when the claim falls below it.
      if (copy.hasAttribute("data-below")) {
        copy.removeAttribute("data-below");
        var note = document.createElement("p");
        note.className = "below-note";
        note.textContent = "Below the level chosen under \u201cHow sure\u201d.";
        copy.insertBefore(note, copy.firstChild);
      }
      var withIds = copy.querySelectorAll("[id]");
      for (var j = 0; j < withIds.length; j++) { withIds[j].removeAttribute("id"); }
      var link = document.createElement("p");
      var a = document.createElement("a");
      a.href = "#" + ids[i];
      a.textContent = "Go to this claim in the list";
      link.appendChild(a);
      copy.appendChild(link);
      target.appendChild(copy);
    }
    panel.classList.add("open");
  }
  function close(panel) {
    panel.classList.remove("open");
    if (active) { active.classList.remove("active"); active.focus(); active = null; }
  }
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("mark.hl[data-claims]")) { show(event.target); }
  });
  document.addEventListener("mouseover", function (event) {
    var mark = event.target.closest && event.target.closest("mark.hl[data-claims]");
    if (mark && mark !== active) { show(mark); }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".panel-close");
    if (button) { close(button.closest(".claim-panel")); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var open = document.querySelector(".claim-panel.open");
      if (open) { close(open); }
    }
  });
})();
