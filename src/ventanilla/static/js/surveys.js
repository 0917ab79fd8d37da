/* A survey's conditional questions: a question shown only after a given answer is hidden until
   that answer is chosen. Without JavaScript every question is shown with its condition in
   words, and the server drops the answers to questions whose condition was not met. The
   questions left in sight are numbered 1, 2, 3... with no gap where one is hidden. */
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) { return; }
  var dependants = form.querySelectorAll("fieldset[data-show-if-name]");
  var chosen = function (name, value) {
    return Array.prototype.some.call(form.elements, function (field) {
      return field.name === name && field.value === value && field.checked;
    });
  };
  var update = function () {
    dependants.forEach(function (fieldset) {
      var control = document.getElementById("f-" + fieldset.dataset.showIfName);
      var shown = !(control && control.hidden) &&
        chosen(fieldset.dataset.showIfName, fieldset.dataset.showIfValue);
      fieldset.hidden = !shown;
      fieldset.disabled = !shown;
    });
    var number = 0;
    form.querySelectorAll(":scope > fieldset").forEach(function (fieldset) {
      var label = fieldset.querySelector(":scope > legend > .question-number");
      if (label && !fieldset.hidden) {
        number += 1;
        label.textContent = String(number);
      }
    });
  };
  dependants.forEach(function (fieldset) {
    var note = fieldset.querySelector(".condition-note");
    if (note) { note.hidden = true; }
  });
  form.addEventListener("change", update);
  update();
}());
