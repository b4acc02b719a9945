// What the matrix and the HTTP tables do alike with their cells: a tooltip beside the cell under
// the pointer, and a cell selected by click or keyboard (and again after a redraw). Page
// functions, inlined beside reportClient() by index.ts: nothing from outside their bodies.

/** Shows `tip` with `text` beside `td`: to its right, below it unless that leaves the window. */
export function showCellTooltip(tip: HTMLElement, td: HTMLElement, text: string): void {
  tip.textContent = text;
  tip.style.display = "block";
  const rect = td.getBoundingClientRect();
  const x = Math.min(rect.right + 10, window.innerWidth - 430);
  const y = rect.bottom + 8 + 140 > window.innerHeight ? rect.top - 8 - tip.offsetHeight : rect.bottom + 8;
  tip.style.left = `${Math.max(4, x)}px`;
  tip.style.top = `${Math.max(4, y)}px`;
}

/** Selects a table's cell on click, Enter or Space, and the cell numbered `selected` at once. */
export function wireCellSelection(
  table: HTMLElement, cellAt: (target: EventTarget | null) => HTMLElement | null, select: (td: HTMLElement) => void, selected: number | undefined,
): void {
  table.addEventListener("click", (event) => { const td = cellAt(event.target); if (td) select(td); });
  table.addEventListener("keydown", (event) => { const td = cellAt(event.target); if (td && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); select(td); } });
  if (selected !== undefined) {
    const td = table.querySelector<HTMLElement>(`td[data-i="${selected}"]`);
    if (td) select(td);
  }
}

export const TABLE_CLIENT = [showCellTooltip, wireCellSelection] as const;
