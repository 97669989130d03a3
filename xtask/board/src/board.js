// Renders the board from the server's snapshots. Names and ids go in as text, never
// as HTML: the page shows what participants typed.
"use strict";

function cell(tag, text, className) {
  const element = document.createElement(tag);
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

function render(board) {
  const rows = Object.entries(board.participants);
  const columns = [];
  for (const [, participant] of rows) {
    for (const lab of participant.labs) {
      for (const step of lab.steps) {
        const key = lab.lab + "/" + step.id;
        if (!columns.some((c) => c.key === key)) columns.push({ key, lab: lab.lab, id: step.id });
      }
    }
  }
  columns.sort((a, b) => (a.lab === b.lab ? 0 : a.lab < b.lab ? -1 : 1));
  const head = document.querySelector("#board thead");
  const header = document.createElement("tr");
  header.append(cell("th", "Participant", "name"));
  for (const column of columns) header.append(cell("th", column.lab.slice(0, 2) + " " + column.id));
  header.append(cell("th", "Last check"));
  head.replaceChildren(header);
  const body = document.querySelector("#board tbody");
  body.replaceChildren(
    ...rows.map(([name, participant]) => {
      const row = document.createElement("tr");
      row.append(cell("td", name, "name"));
      for (const column of columns) {
        const lab = participant.labs.find((l) => l.lab === column.lab);
        const step = lab && lab.steps.find((s) => s.id === column.id);
        if (!step) row.append(cell("td", "·", "none"));
        else if (step.total > 0 && step.passed === step.total) row.append(cell("td", "✔", "pass"));
        else row.append(cell("td", step.passed + "/" + step.total, "fail"));
      }
      row.append(cell("td", new Date(participant.updated * 1000).toLocaleTimeString()));
      return row;
    }),
  );
  document.getElementById("status").textContent = rows.length + " participant(s), live";
}

const initial = document.getElementById("snapshot");
if (initial) render(JSON.parse(initial.textContent));

const events = new EventSource("/events");
events.addEventListener("board", (event) => render(JSON.parse(event.data)));
events.onerror = () => {
  document.getElementById("status").textContent = "Reconnecting…";
};
