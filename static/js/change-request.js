// The change request form: show the input that fits the chosen field (the list of genders for
// gender, the text box for a name or an ID number). Without scripts both stay visible.
(function () {
  "use strict";
  var form = document.querySelector("form[data-change-request]");
  if (!form) return;
  var field = form.querySelector("select[name=field]");
  var text = form.querySelector("[name=new_value]");
  var gender = form.querySelector("[name=new_gender]");
  if (!field || !text || !gender) return;
  function sync() {
    var isGender = field.value === "gender";
    gender.closest(".field").hidden = !isGender;
    text.closest(".field").hidden = isGender;
  }
  field.addEventListener("change", sync);
  sync();
})();
