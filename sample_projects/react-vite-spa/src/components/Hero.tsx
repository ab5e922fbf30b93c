type HeroProps = { cartCount: number };

export default function Hero({ cartCount }: HeroProps) {
  return (
    <header>
      <p style={{ textAlign: "right" }}>Cart: {cartCount}</p>
      <h1>Trailhead Outfitters</h1>
      <p>Lightweight gear for long days on the trail.</p>
    </header>
  );
}
