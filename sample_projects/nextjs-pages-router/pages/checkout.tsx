import { useRouter } from "next/router";
import { useState, type FormEvent } from "react";
import { ROASTS, findRoast } from "../lib/products";

export default function Checkout() {
  const router = useRouter();
  const initialRoast = typeof router.query.roast === "string" ? router.query.roast : "sunrise";
  const [submitted, setSubmitted] = useState(false);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const roast = findRoast(String(form.get("roast")));
    if (!roast) return;
    setSubmitted(true);
  }

  if (submitted) {
    return <p>Thanks! Your first bag ships this week.</p>;
  }

  return (
    <>
      <h1>Checkout</h1>
      <form onSubmit={handleSubmit}>
        <label>
          Roast
          <select name="roast" defaultValue={initialRoast}>
            {ROASTS.map((roast) => (
              <option key={roast.id} value={roast.id}>
                {roast.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Bags per delivery <input name="quantity" type="number" min={1} max={5} defaultValue={1} />
        </label>
        <label>
          Email <input name="email" type="email" required />
        </label>
        <label>
          Shipping address <textarea name="address" rows={3} required />
        </label>
        <button type="submit">Place order</button>
      </form>
    </>
  );
}
