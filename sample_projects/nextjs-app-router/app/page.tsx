import Link from "next/link";

export default function HomePage() {
  return (
    <section>
      <h1>Notes that write themselves</h1>
      <p>
        Acme Notes turns your meeting transcripts into tidy summaries and
        action items, so you can stop taking notes and start listening.
      </p>
      <div style={{ display: "flex", gap: "1rem" }}>
        <Link href="/signup">
          <button>Start free trial</button>
        </Link>
        <Link href="/pricing">See pricing</Link>
      </div>
    </section>
  );
}
