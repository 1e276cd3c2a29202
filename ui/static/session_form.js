// Record-a-session form helpers. Everything here is a convenience: without
// JavaScript the form still works and the server works out every total.
//  - running totals of the answered items as you go (the server's total,
//    with pro-rating of unanswered items, is the one recorded);
//  - quick entry: typing "210130021" fills the PHQ-9 radios, and choosing a
//    radio updates the quick field;
//  - the risk prompt appears as soon as PHQ-9 question 9 is above 0;
//  - the anxiety measure's range hint follows the measure chosen;
//  - answering by digit: on a focused answer, typing a digit chooses that
//    answer and moves to the next question (the next questionnaire's first
//    question after the last), so a keyboard user answers at the speed of
//    speech without Tab and Space for each question.
(function () {
  'use strict';

  function radiosOf(section, n) {
    var id = section.getAttribute('data-questionnaire');
    return section.querySelectorAll('input[type="radio"][name="scores.' + id + '.items.' + n + '"]');
  }

  function answers(section) {
    var count = parseInt(section.getAttribute('data-items'), 10);
    var out = [];
    for (var n = 1; n <= count; n++) {
      var checked = null;
      Array.prototype.forEach.call(radiosOf(section, n), function (r) {
        if (r.checked) { checked = parseInt(r.value, 10); }
      });
      out.push(checked);
    }
    return out;
  }

  // update shows the running total and keeps the quick entry in step with
  // the radios; on load (atStart) a quick entry already filled is left as the
  // server sent it back, so that what was typed is kept beside its error.
  function update(section, atStart) {
    var a = answers(section);
    var answered = a.filter(function (x) { return x !== null; });
    var sum = answered.reduce(function (s, x) { return s + x; }, 0);
    var out = section.querySelector('output[data-total]');
    if (out) {
      if (answered.length === 0) {
        out.textContent = 'not yet answered';
      } else if (answered.length === a.length) {
        out.textContent = String(sum);
      } else {
        out.textContent = sum + ' so far (' + answered.length + ' of ' + a.length + ' answered)';
      }
    }
    var quick = quickOf(section);
    if (quick && document.activeElement !== quick && !(atStart && quick.value !== '')) {
      quick.value = answered.length ? a.map(function (x) { return x === null ? '-' : String(x); }).join('') : '';
    }
    if (section.getAttribute('data-questionnaire') === 'phq9') {
      showRisk(a[8]);
    }
  }

  // showRisk shows or hides every risk prompt: the one at the top of the
  // form and the one under question 9, where the answer was just given.
  function showRisk(item9) {
    var on = item9 !== null && item9 > 0;
    var high = on && item9 >= 2;
    Array.prototype.forEach.call(document.querySelectorAll('[data-risk-prompt]'), function (p) { p.hidden = !on; });
    Array.prototype.forEach.call(document.querySelectorAll('[data-risk-high]'), function (h) { h.hidden = !high; });
    Array.prototype.forEach.call(document.querySelectorAll('[data-risk-title]'), function (t) {
      t.textContent = high ? 'High priority: risk review today' : 'Risk review today';
    });
  }

  function quickOf(section) {
    return section.querySelector('input[data-quick]') ||
      document.querySelector('input[data-quick="' + section.getAttribute('data-questionnaire') + '"]');
  }

  // questionOf returns the item number of a radio's question.
  function questionOf(radio) {
    var m = /\.items\.(\d+)$/.exec(radio.name);
    return m ? parseInt(m[1], 10) : 0;
  }

  // focusQuestion focuses a question's chosen answer, or its first.
  function focusQuestion(radios) {
    var target = radios[0];
    Array.prototype.forEach.call(radios, function (r) { if (r.checked) { target = r; } });
    if (target) { target.focus(); }
  }

  function answerByDigit(sections, e) {
    var r = e.target;
    if (!r || r.type !== 'radio' || e.altKey || e.ctrlKey || e.metaKey || !/^[0-9]$/.test(e.key)) {
      return;
    }
    var section = r.closest('[data-questionnaire]');
    var n = questionOf(r);
    if (!section || !n) { return; }
    var pick = null;
    Array.prototype.forEach.call(radiosOf(section, n), function (x) { if (x.value === e.key) { pick = x; } });
    e.preventDefault();
    if (!pick) { return; }
    pick.checked = true;
    pick.dispatchEvent(new Event('change', { bubbles: true }));
    var next = radiosOf(section, n + 1);
    // After a questionnaire's last question, on to the next one shown (a
    // folded optional questionnaire is skipped).
    var i = Array.prototype.indexOf.call(sections, section);
    while (next.length === 0 || next[0].offsetParent === null) {
      i++;
      if (i >= sections.length) { return; }
      next = radiosOf(sections[i], 1);
    }
    if (next.length) {
      focusQuestion(next);
    }
  }

  function fromQuick(section, quick) {
    var chars = quick.value.replace(/[\s,]/g, '').split('');
    chars.forEach(function (ch, i) {
      var radios = radiosOf(section, i + 1);
      Array.prototype.forEach.call(radios, function (r) {
        r.checked = (ch !== '-' && ch !== '.' && r.value === ch);
      });
    });
    update(section);
  }

  function start() {
    var sections = document.querySelectorAll('[data-questionnaire]');
    Array.prototype.forEach.call(sections, function (section) {
      section.addEventListener('change', function (e) {
        if (e.target && e.target.type === 'radio') { update(section); }
      });
      var quick = quickOf(section);
      if (quick) {
        quick.addEventListener('input', function () { fromQuick(section, quick); });
      }
      section.addEventListener('keydown', function (e) { answerByDigit(sections, e); });
      update(section, true);
    });

    var select = document.querySelector('[data-adsm-select]');
    var hint = document.querySelector('[data-adsm-hint]');
    if (select && hint) {
      select.addEventListener('change', function () {
        var o = select.options[select.selectedIndex];
        if (o && o.value) {
          hint.textContent = o.text.split(' – ')[0] + ' total, from ' + o.getAttribute('data-min') + ' to ' + o.getAttribute('data-max');
        } else {
          hint.textContent = 'Choose the measure below; its range is shown here';
        }
      });
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
