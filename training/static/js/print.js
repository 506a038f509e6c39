// The certificate's print button (inline handlers are barred by the Content-Security-Policy).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
