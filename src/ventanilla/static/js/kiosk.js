/* The office kiosk: back to the start screen after a while without a touch, so the next person
   never sees the last one's screen; and the receipt's print button. No inline script (CSP). */
(function () {
  "use strict";
  var body = document.body;
  var start = body.getAttribute("data-kiosk-start");
  var idle = parseInt(body.getAttribute("data-kiosk-idle"), 10);
  if (start && idle > 0) {
    var here = window.location.pathname + window.location.search;
    var timer = null;
    var arm = function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        // replace(): the back button cannot bring the last person's screen back.
        if (here !== start) { window.location.replace(start); } else { arm(); }
      }, idle * 1000);
    };
    ["pointerdown", "keydown", "input", "touchstart", "wheel"].forEach(function (name) {
      document.addEventListener(name, arm, { passive: true, capture: true });
    });
    arm();
  }
  var print = document.querySelector("[data-kiosk-print]");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
}());
