import Link from "next/link";
import { PLANS, formatPrice } from "@/lib/plans";

export const metadata = { title: "Pricing | Acme Notes" };

export default function PricingPage() {
  return (
    <section>
      <h1>Pricing</h1>
      <div className="plans">
        {PLANS.map((plan) => (
          <div key={plan.id} className="card">
            <h2>{plan.name}</h2>
            <p>{formatPrice(plan.monthlyPrice)} / month</p>
            <ul>
              {plan.features.map((feature) => (
                <li key={feature}>{feature}</li>
              ))}
            </ul>
            <Link href={`/signup?plan=${plan.id}`}>
              <button>Choose {plan.name}</button>
            </Link>
          </div>
        ))}
      </div>
    </section>
  );
}
