/* Work queues: "select all on this page" ticks every case of the page. Without JavaScript the
   box stays hidden and each row is ticked on its own. */
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) { return; }
  var boxes = function () { return document.querySelectorAll("#bulk input[name=case]"); };
  all.hidden = false;
  all.addEventListener("change", function () {
    boxes().forEach(function (box) { box.checked = all.checked; });
  });
  document.getElementById("bulk").addEventListener("change", function (event) {
    if (event.target === all) { return; }
    var list = Array.prototype.slice.call(boxes());
    all.checked = list.length > 0 && list.every(function (box) { return box.checked; });
  });
}());
