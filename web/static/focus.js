// After a failed submission the server renders the error summary; move the focus there so screen-reader
// and keyboard users hear what to fix first. Pages work the same without this script.
document.addEventListener('DOMContentLoaded', () => {
  const summary = document.getElementById('error-summary');
  if (summary) summary.focus();
});
