import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";

export function meta() {
  return [{ title: "Join Fieldnotes" }];
}

export default function Signup() {
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    if (!email.includes("@")) {
      setError("Please enter a valid email address.");
      return;
    }
    setError(null);
    navigate("/");
  }

  return (
    <main>
      <h1>Join the club</h1>
      <form onSubmit={handleSubmit}>
        <label>
          Email <input name="email" type="email" required />
        </label>
        {error && <p role="alert">{error}</p>}
        <button type="submit">Sign up</button>
      </form>
    </main>
  );
}
