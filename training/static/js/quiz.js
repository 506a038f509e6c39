// Quiz attempts: save answers as the trainee goes, and count down the server's deadline.
(function () {
  "use strict";
  var form = document.querySelector(".quiz-form");
  if (!form) return;
  var status = document.querySelector(".save-status");
  var pending = null;

  function show(key) {
    if (status) status.textContent = status.dataset[key] || "";
  }

  function save() {
    show("saving");
    fetch(form.dataset.saveUrl, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 409) { window.location.reload(); return; }
        show(response.ok ? "saved" : response.status === 400 ? "invalid" : "failed");
      })
      .catch(function () { show("failed"); });
  }

  function later() {
    clearTimeout(pending);
    pending = setTimeout(save, 400);
  }
  // "input" as well: a text field only reports "change" once the trainee leaves it.
  form.addEventListener("change", later);
  form.addEventListener("input", later);
  form.addEventListener("submit", function () {
    clearTimeout(pending);
    var button = form.querySelector(".submit-attempt");
    if (button) button.setAttribute("aria-busy", "true");
  });

  var timer = document.querySelector(".timer");
  if (timer) {
    var deadline = Date.parse(timer.dataset.deadline);
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var minutes = Math.floor(left / 60), seconds = left % 60;
      timer.textContent = timer.dataset.label + " " + minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      if (left === 0) { clearInterval(handle); form.requestSubmit(); }
    };
    var handle = setInterval(tick, 1000);
    tick();
  }
})();
