import Link from "next/link";

const NAV_LINKS = [
  { href: "/", label: "Home" },
  { href: "/pricing", label: "Pricing" },
  { href: "/signup", label: "Sign up" },
];

export default function Header() {
  return (
    <header className="header">
      <strong>Acme Notes</strong>
      <nav style={{ display: "flex", gap: "1rem" }}>
        {NAV_LINKS.map((link) => (
          <Link key={link.href} href={link.href}>
            {link.label}
          </Link>
        ))}
      </nav>
    </header>
  );
}
