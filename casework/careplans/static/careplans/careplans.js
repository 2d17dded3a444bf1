/* Care plan pages: the on-screen signature pad, HTMX refusals shown in place, print button.
 * Written for casework; no library. The signature is exported as a PNG data URL into the
 * hidden "signature" field of the agreement form. */
(function () {
  "use strict";

  function initSignaturePad(block) {
    if (block.dataset.signatureReady) return;
    block.dataset.signatureReady = "1";
    var canvas = block.querySelector("[data-signature-canvas]");
    var field = block.querySelector("input[name=signature]");
    var state = block.querySelector("[data-signature-state]");
    var clear = block.querySelector("[data-signature-clear]");
    if (!canvas || !field) return;
    var context = canvas.getContext("2d");
    var drawing = false;
    var last = null;
    var marked = false;

    function setState(text) {
      if (state) state.textContent = text;
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height),
      };
    }

    function style() {
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#111";
    }

    function save() {
      if (!marked) return;
      field.value = canvas.toDataURL("image/png");
      setState("Signed. Clear the box to sign again.");
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      drawing = true;
      last = point(event);
      if (canvas.setPointerCapture) canvas.setPointerCapture(event.pointerId);
      style();
      context.beginPath();
      context.arc(last.x, last.y, 1.2, 0, Math.PI * 2);
      context.fillStyle = "#111";
      context.fill();
      marked = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var next = point(event);
      style();
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(next.x, next.y);
      context.stroke();
      last = next;
    });
    function stop() {
      if (!drawing) return;
      drawing = false;
      save();
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);

    if (clear) {
      clear.addEventListener("click", function () {
        context.clearRect(0, 0, canvas.width, canvas.height);
        field.value = "";
        marked = false;
        setState("Not signed yet.");
      });
    }

    // A form shown again after a refusal keeps the signature already drawn.
    if (field.value && field.value.indexOf("data:image/png;base64,") === 0) {
      var image = new Image();
      image.onload = function () {
        context.drawImage(image, 0, 0, canvas.width, canvas.height);
        marked = true;
        setState("Signed. Clear the box to sign again.");
      };
      image.src = field.value;
    }
  }

  function init(root) {
    (root || document).querySelectorAll("[data-signature-pad]").forEach(initSignaturePad);
    (root || document).querySelectorAll("[data-print]").forEach(function (button) {
      if (button.dataset.printReady) return;
      button.dataset.printReady = "1";
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  // Refusals (422 invalid input, 409 changed by someone else) come back as the editor with the
  // errors marked: show them in place rather than dropping the response.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ((status === 409 || status === 422) && event.detail.target.id === "plan-editor") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:load", function (event) {
    init(event.detail.elt);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }
})();
