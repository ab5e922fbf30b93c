export type Note = { id: string; title: string; body: string };

export const NOTES: Note[] = [
  { id: "heron", title: "Grey heron at dawn", body: "Standing still by the reeds for twenty minutes." },
  { id: "otter", title: "Otter tracks", body: "Five-toed prints on the mud bank, heading upstream." },
];

export function findNote(id: string): Note | undefined {
  return NOTES.find((note) => note.id === id);
}
