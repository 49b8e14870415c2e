// BPMN diagrams of the process screens (bpmn-js NavigatedViewer), loaded only
// by the pages that show one (see templates/fulfilment/_diagram.html).
//
// <div class="ob-bpmn" data-bpmn-url="/console/fulfilment/processes/KEY/VERSION/xml"
//      data-done="start reserve" data-current="activate"></div>
//
// Done elements get the marker class "ob-done" (green), current ones
// "ob-current" (blue); diagram.css styles them.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";

function ids(value) {
  return (value || "").split(/\s+/).filter(Boolean);
}

async function render(container) {
  if (container.dataset.rendered) return;
  container.dataset.rendered = "1";
  const status = container.querySelector("[data-bpmn-status]");
  try {
    const response = await fetch(container.dataset.bpmnUrl, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const xml = await response.text();
    const canvasBox = document.createElement("div");
    canvasBox.className = "ob-bpmn-canvas";
    container.appendChild(canvasBox);
    const viewer = new NavigatedViewer({ container: canvasBox });
    await viewer.importXML(xml);
    const canvas = viewer.get("canvas");
    const registry = viewer.get("elementRegistry");
    canvas.zoom("fit-viewport", "auto");
    for (const id of ids(container.dataset.done)) {
      if (registry.get(id)) canvas.addMarker(id, "ob-done");
    }
    for (const id of ids(container.dataset.current)) {
      if (registry.get(id)) canvas.addMarker(id, "ob-current");
    }
    container.dataset.ready = "1";
    if (status) status.hidden = true;
  } catch (error) {
    if (status) {
      status.hidden = false;
      status.textContent = `${status.dataset.failText || "Diagram unavailable"}: ${error.message}`;
    }
  }
}

function scan(root) {
  root.querySelectorAll(".ob-bpmn[data-bpmn-url]").forEach((el) => render(el));
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => scan(document));
} else {
  scan(document);
}
document.addEventListener("htmx:afterSwap", (event) => scan(event.target));
