import Link from "next/link";
import type { GetStaticProps } from "next";
import { ROASTS, type Roast } from "../lib/products";

type Props = { roasts: Roast[] };

export const getStaticProps: GetStaticProps<Props> = async () => {
  return { props: { roasts: ROASTS } };
};

export default function Home({ roasts }: Props) {
  return (
    <>
      <h1>Fresh coffee, every other Tuesday</h1>
      <ul>
        {roasts.map((roast) => (
          <li key={roast.id}>
            <strong>{roast.name}</strong> ({roast.origin}): ${roast.pricePerBag}/bag{" "}
            <Link href={`/checkout?roast=${roast.id}`}>Subscribe</Link>
          </li>
        ))}
      </ul>
    </>
  );
}
