"use client";

import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { isValidEmail } from "@/lib/validation";

export default function SignupPage() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const email = String(data.get("email") ?? "");
    const plan = String(data.get("plan") ?? "starter");
    if (!isValidEmail(email)) {
      setError("Please enter a valid email address.");
      return;
    }
    setError(null);
    // A real app would create the account here.
    router.push(`/?welcome=${encodeURIComponent(plan)}`);
  }

  return (
    <section>
      <h1>Create your account</h1>
      <form onSubmit={handleSubmit}>
        <label>
          Name <input name="name" required />
        </label>
        <label>
          Email <input name="email" type="email" required />
        </label>
        <label>
          Password <input name="password" type="password" minLength={8} required />
        </label>
        <label>
          Plan
          <select name="plan" defaultValue="starter">
            <option value="starter">Starter</option>
            <option value="pro">Pro</option>
            <option value="team">Team</option>
          </select>
        </label>
        {error && <p role="alert">{error}</p>}
        <button type="submit">Sign up</button>
      </form>
    </section>
  );
}
