// The buyer workbench (simulated and live): a reply timer and one-click quick replies.
(function () {
  "use strict";
  var timer = document.querySelector(".reply-timer");
  if (timer) {
    var limit = parseInt(timer.dataset.limit, 10);
    var tick = function () {
      // Read afresh each second: in a live session a new buyer message restarts the wait.
      var since = Date.parse(timer.dataset.since);
      var seconds = Math.max(0, Math.round((Date.now() - since) / 1000));
      timer.textContent = timer.dataset.label + " " + seconds + " " + timer.dataset.unit;
      timer.classList.toggle("late", seconds > limit);
    };
    setInterval(tick, 1000);
    tick();
  }
  var box = document.querySelector(".reply-form textarea");
  document.querySelectorAll(".quick-reply").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!box) return;
      var text = box.value ? box.value + " " + button.dataset.text : button.dataset.text;
      // A value set from a script skips the box's maxlength; keep to it, as typing does.
      box.value = box.maxLength > 0 ? text.slice(0, box.maxLength) : text;
      box.focus();
    });
  });
  var messages = document.querySelector(".messages");
  if (messages && messages.lastElementChild) messages.lastElementChild.scrollIntoView({ block: "nearest" });
  var form = document.querySelector(".reply-form");
  // A live session's form sends by script (live.js) and stays usable for the next message.
  if (form && !form.dataset.live) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      button.setAttribute("aria-busy", "true");
      button.disabled = true;
    });
  }
})();
