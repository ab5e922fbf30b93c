import { useState } from "react";
import Hero from "./components/Hero";
import ProductGrid from "./components/ProductGrid";
import ContactForm from "./components/ContactForm";

export default function App() {
  const [cartCount, setCartCount] = useState(0);

  return (
    <div className="app">
      <Hero cartCount={cartCount} />
      <ProductGrid onAddToCart={() => setCartCount((n) => n + 1)} />
      <ContactForm />
    </div>
  );
}
