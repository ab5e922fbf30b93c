import Link from "next/link";
import type { ReactNode } from "react";

export default function Layout({ children }: { children: ReactNode }) {
  return (
    <>
      <header>
        <nav>
          <Link href="/">Bean There</Link>
          <Link href="/about">About</Link>
          <Link href="/checkout">Subscribe</Link>
        </nav>
      </header>
      <main>{children}</main>
      <footer>
        <small>&copy; {new Date().getFullYear()} Bean There Coffee Co.</small>
      </footer>
    </>
  );
}
