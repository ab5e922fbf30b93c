import posthog from "posthog-js";

type Product = { id: string; name: string; price: number };

const PRODUCTS: Product[] = [
  { id: "pack-30", name: "Ridge 30L Daypack", price: 89 },
  { id: "poles", name: "Carbon Trekking Poles", price: 129 },
  { id: "stove", name: "Pocket Stove", price: 45 },
];

type ProductGridProps = { onAddToCart: (product: Product) => void };

export default function ProductGrid({ onAddToCart }: ProductGridProps) {
  function handleAdd(product: Product) {
    posthog.capture("product_added_to_cart", { product_id: product.id, price: product.price });
    onAddToCart(product);
  }

  return (
    <section className="products">
      {PRODUCTS.map((product) => (
        <div key={product.id} className="product">
          <h3>{product.name}</h3>
          <p>${product.price}</p>
          <button onClick={() => handleAdd(product)}>Add to cart</button>
        </div>
      ))}
    </section>
  );
}
