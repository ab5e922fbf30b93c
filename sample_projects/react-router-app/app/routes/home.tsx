import { Link } from "react-router";
import { NOTES } from "../notes";

export function meta() {
  return [{ title: "Fieldnotes" }];
}

export default function Home() {
  return (
    <main>
      <h1>Fieldnotes</h1>
      <ul>
        {NOTES.map((note) => (
          <li key={note.id}>
            <strong>{note.title}</strong>: {note.body}
          </li>
        ))}
      </ul>
      <Link to="/signup">Join the club</Link>
    </main>
  );
}
