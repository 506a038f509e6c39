// A live role-play room: polls for new messages with a cursor and sends by fetch.
// Every message text goes into the page with textContent, never as HTML.
(function () {
  "use strict";
  var room = document.querySelector("[data-live-room]");
  if (!room) return;
  var list = room.querySelector(".messages");
  var form = room.querySelector(".reply-form");
  var box = form ? form.querySelector("textarea") : null;
  var turnField = form ? form.querySelector("input[name=turn_id]") : null;
  var status = room.querySelector(".live-status");
  var timer = room.querySelector(".reply-timer");
  var url = room.dataset.messagesUrl;
  var after = parseInt(room.dataset.after, 10) || 0;
  var lang = room.dataset.lang;
  var POLL_MS = 1000;
  var pollTimer = null;
  var polling = false;
  // The token names the message being sent; kept until it is stored, so a resend after a
  // failed connection is recognised by the server and not stored twice.
  var pendingToken = null;

  function newToken() {
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // "— Lesson: <title>", the title linking to the lesson that teaches the point's rule.
  function citation(lesson) {
    var note = element("small", "source");
    var label = room.dataset.lessonLabel.split("{title}");
    var link = element("a", "", lesson.title);
    link.href = lesson.href;
    link.title = lesson.source;
    link.target = "_blank";
    link.rel = "noopener";
    note.appendChild(document.createTextNode(" — " + label[0]));
    note.appendChild(link);
    note.appendChild(document.createTextNode(label[1] || ""));
    return note;
  }

  function show(message) {
    var bubble = element("li", "bubble " + (message.role === "buyer" ? "buyer" : "agent"));
    bubble.dataset.seq = message.seq;
    bubble.appendChild(element("small", "sender", message.sender));
    // A scored reply comes cut into runs: the words that earned or cost points are marked.
    (message.pieces || [[message.text, null]]).forEach(function (piece) {
      bubble.appendChild(
        piece[1] ? element("mark", piece[1], piece[0]) : document.createTextNode(piece[0])
      );
    });
    list.appendChild(bubble);
    if (message.score !== undefined) {
      var feedback = element("li", "feedback live-score");
      feedback.appendChild(
        element("strong", "", room.dataset.scoreLabel.replace("{score}", message.score))
      );
      var points = element("ul", "points");
      (message.points || []).forEach(function (point) {
        var item = element("li", point.delta > 0 ? "plus" : "minus");
        item.appendChild(element("strong", "", (point.delta > 0 ? "+" : "") + point.delta));
        item.appendChild(document.createTextNode(" " + (lang === "zh" ? point.zh : point.en)));
        if (point.lesson) item.appendChild(citation(point.lesson));
        points.appendChild(item);
      });
      feedback.appendChild(points);
      list.appendChild(feedback);
    }
    if (timer && message.role === "buyer") timer.dataset.since = message.at;
    list.lastElementChild.scrollIntoView({ block: "nearest" });
  }

  function ended() {
    room.dataset.closed = "1";
    if (form) form.remove();
    if (status) status.textContent = room.dataset.closedLabel;
    // The page shows the closed state (and the scorecard) from the server.
    window.location.reload();
  }

  function poll() {
    if (polling) return;
    polling = true;
    clearTimeout(pollTimer);
    fetch(url + "?after=" + after, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        data.messages.forEach(function (message) {
          if (message.seq > after) {
            show(message);
            after = message.seq;
          }
        });
        polling = false;
        if (data.closed) return ended();
        pollTimer = setTimeout(poll, data.more ? 0 : POLL_MS);
      })
      .catch(function () {
        polling = false;
        pollTimer = setTimeout(poll, POLL_MS * 3);
      });
  }

  if (form && box) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = box.value.trim();
      if (!text) return;
      pendingToken = pendingToken || newToken();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": room.dataset.csrf,
        },
        body: JSON.stringify({
          text: text,
          token: pendingToken,
          turn_id: turnField ? turnField.value : "",
        }),
      })
        .then(function (response) {
          return response.json().then(function (data) {
            return { status: response.status, data: data };
          });
        })
        .then(function (result) {
          button.disabled = false;
          if (result.status === 409) return ended();
          if (result.status >= 400) {
            status.textContent = result.data.error || "";
            if (result.status !== 400) pendingToken = null;
            return;
          }
          pendingToken = null;
          box.value = "";
          if (turnField) turnField.value = "";
          status.textContent = "";
          box.focus();
          poll();
        })
        .catch(function () {
          button.disabled = false;
          status.textContent = room.dataset.errorLabel;
        });
    });
    box.addEventListener("input", function () {
      // Different words are a different message: never let them reuse a stored one's token.
      pendingToken = null;
    });
    room.querySelectorAll(".script-line").forEach(function (button) {
      button.addEventListener("click", function () {
        box.value = button.dataset.text;
        pendingToken = null;
        if (turnField) turnField.value = button.dataset.turn;
        box.focus();
      });
    });
  }

  if (!room.dataset.closed) poll();
})();
