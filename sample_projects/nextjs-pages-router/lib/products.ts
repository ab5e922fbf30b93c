export type Roast = { id: string; name: string; origin: string; pricePerBag: number };

export const ROASTS: Roast[] = [
  { id: "sunrise", name: "Sunrise Blend", origin: "Ethiopia & Colombia", pricePerBag: 14 },
  { id: "midnight", name: "Midnight Dark", origin: "Sumatra", pricePerBag: 15 },
  { id: "decaf", name: "Easy Decaf", origin: "Brazil", pricePerBag: 13 },
];

export function findRoast(id: string): Roast | undefined {
  return ROASTS.find((roast) => roast.id === id);
}
