// Day / month / year boxes (the NHS.UK date input): a convenience only.
// Typing a separator ("/", ".", "-", space) after a day or month moves on to
// the next box, so "3/4/1990" typed from the day box fills all three; a whole
// date pasted or typed into the day box is split the same way. Without
// JavaScript the server reads the whole date from the day box (ui/dates.go).
(function () {
  'use strict';
  var sep = /[\s\/.,\-]+/;

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-date-input]'), function (group) {
      var inputs = group.querySelectorAll('input');
      Array.prototype.forEach.call(inputs, function (input, i) {
        if (i === inputs.length - 1) {
          return;
        }
        input.addEventListener('input', function () {
          var v = input.value;
          var parts = v.trim().split(sep);
          if (i === 0 && parts.length === 3 && parts[2].length === 4) {
            // A whole date typed or pasted into the day box.
            inputs[0].value = parts[0];
            inputs[1].value = parts[1];
            inputs[2].value = parts[2];
            inputs[2].focus();
            return;
          }
          var m = sep.exec(v);
          if (!m) {
            return;
          }
          var left = v.slice(0, m.index);
          var rest = v.slice(m.index + m[0].length);
          if (left === '') {
            input.value = rest;
            return;
          }
          input.value = left;
          inputs[i + 1].value = rest;
          inputs[i + 1].focus();
          inputs[i + 1].setSelectionRange(rest.length, rest.length);
        });
      });
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
