// The typing test: show the time left (the server measures it too) and submit when it runs out.
(function () {
  "use strict";
  var timer = document.querySelector(".timer");
  var form = document.querySelector(".typing-form");
  if (!timer || !form) return;
  var end = Date.parse(timer.dataset.deadline) + parseInt(timer.dataset.seconds, 10) * 1000;
  var tick = function () {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    timer.textContent = timer.dataset.label + " " + Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
    if (left === 0) { clearInterval(handle); form.submit(); }
  };
  var handle = setInterval(tick, 1000);
  tick();
  // Pasting is not typing.
  form.querySelector("textarea").addEventListener("paste", function (event) { event.preventDefault(); });
})();
