// The buyer workbench (simulated and live): a reply timer and one-click quick replies. In a
// simulated conversation a reply is sent by script and the conversation's part of the page is
// swapped for the one the server sends back (which leaves out the turns already shown); without
// script the form posts and reloads as usual.
(function () {
  "use strict";
  var tick = function () {
    // Found afresh each second: a sent reply replaces the timer, and in a live session a new
    // buyer message restarts the wait.
    var timer = document.querySelector(".reply-timer");
    if (!timer) return;
    var since = Date.parse(timer.dataset.since);
    var seconds = Math.max(0, Math.round((Date.now() - since) / 1000));
    timer.textContent = timer.dataset.label + " " + seconds + " " + timer.dataset.unit;
    timer.classList.toggle("late", seconds > parseInt(timer.dataset.limit, 10));
  };
  if (document.querySelector(".reply-timer")) {
    setInterval(tick, 1000);
    tick();
  }
  document.querySelectorAll(".quick-reply").forEach(function (button) {
    button.addEventListener("click", function () {
      var box = document.querySelector(".reply-form textarea");
      if (!box) return;
      var text = box.value ? box.value + " " + button.dataset.text : button.dataset.text;
      // A value set from a script skips the box's maxlength; keep to it, as typing does.
      box.value = box.maxLength > 0 ? text.slice(0, box.maxLength) : text;
      box.focus();
    });
  });
  var showLatest = function () {
    var messages = document.querySelector(".messages");
    if (messages && messages.lastElementChild) {
      messages.lastElementChild.scrollIntoView({ block: "nearest" });
    }
  };
  showLatest();

  var busy = function (form) {
    var button = form.querySelector("button[type=submit]");
    button.setAttribute("aria-busy", "true");
    button.disabled = true;
  };
  // A live session's form sends by script (live.js) and stays usable for the next message.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("reply-form") || form.dataset.live) return;
    var chat = form.closest("section.chat");
    if (!chat || !window.fetch) {
      busy(form);
      return;
    }
    event.preventDefault();
    var body = new FormData(form);
    busy(form);
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Kefu-Chat": "1" },
    })
      .then(function (response) {
        var next = response.headers.get("X-Kefu-Location");
        if (next) {
          window.location.assign(next);
          return;
        }
        // Anything but the conversation's part (an expired form, an error) is shown by
        // sending the form the ordinary way.
        if (!response.headers.get("X-Kefu-Chat")) throw new Error(response.status);
        return response.text().then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var answered = holder.querySelector("section.chat");
          var messages = answered.querySelector(".messages");
          if (messages.dataset.kept) {
            // The answer leaves out the turns this page shows: keep them, before the new ones.
            var shown = chat.querySelectorAll(".messages > li:not(.current)");
            messages.prepend.apply(messages, Array.prototype.slice.call(shown));
          }
          chat.replaceWith(answered);
          tick();
          showLatest();
          var box = document.querySelector(".reply-form textarea, .reply-form input[type=radio]");
          if (box) box.focus({ preventScroll: true });
        });
      })
      .catch(function () {
        // The reply carries its token: sent again the ordinary way, it is saved at most once.
        form.submit();
      });
  });
})();
