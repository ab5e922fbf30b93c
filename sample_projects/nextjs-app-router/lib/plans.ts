export type Plan = {
  id: "starter" | "pro" | "team";
  name: string;
  monthlyPrice: number;
  features: string[];
};

export const PLANS: Plan[] = [
  { id: "starter", name: "Starter", monthlyPrice: 0, features: ["5 notes a month", "Email support"] },
  { id: "pro", name: "Pro", monthlyPrice: 12, features: ["Unlimited notes", "AI summaries", "Chat support"] },
  { id: "team", name: "Team", monthlyPrice: 29, features: ["Everything in Pro", "Shared workspaces", "SSO"] },
];

export function formatPrice(amount: number): string {
  return amount === 0 ? "Free" : `$${amount}`;
}
